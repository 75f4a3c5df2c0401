package app.doorstep.core

import java.nio.file.Path
import java.util.Collections
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertIs
import kotlin.test.assertNotNull
import kotlin.test.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.io.TempDir

/**
 * User story: a technician enrolls a phone, syncs, works through the day's list (a residential
 * inspection with photos and both signatures, a pipeline fault repaired offline), syncs again,
 * and a second phone of the same technician sees it all, with the server holding one copy of
 * each. Against the real library and a real `doorstep serve` (bindings/python/tests/test_field_day.py
 * is the same story in Python).
 */
class FieldDayTest {
    @TempDir
    lateinit var tmp: Path

    /** Every progress report a sync gave, from whichever thread it came. */
    private class Phases : SyncObserver {
        val seen: MutableList<SyncProgress> = Collections.synchronizedList(mutableListOf())

        override fun onProgress(progress: SyncProgress) {
            seen.add(progress)
        }
    }

    private fun phone(office: Office, name: String): DeviceStore {
        val store = DeviceStore.open(tmp.resolve(name).toString(), generateStoreKey())
        val technician = store.enroll(office.url, office.enrollmentCode(), "test phone $name")
        assertEquals(office.technician, technician.id)
        assertEquals("HZ1024", technician.badge)
        return store
    }

    @Test
    fun `a field day syncs once and a second phone sees it`() = Office.open(tmp).use { office ->
        phone(office, "a").use { a ->
            val first = a.sync(null)
            assertTrue(first.pulled >= 3u, "the district, the households, the order, the technician: ${first.pulled}")

            // The day's work list: the gas leak first, as an emergency.
            val orders = a.workList(FieldWork.AT_THE_DOOR).filter { it.task is WorkTask.Order }
            assertEquals(1, orders.size)
            val order = orders.single()
            val orderId = (order.task as WorkTask.Order).workOrderId
            assertIs<WorkReason.Emergency>(order.reason)
            // Worded when shown, in the user's language.
            assertTrue("紧急" in describeWorkReason(order.reason, Language.ZH))
            assertTrue(describeWorkReason(order.reason, Language.EN).startsWith("Emergency"))

            // The household's file, found by its customer number.
            val hit = a.searchHouseholds("HZ-0001", 5u).first()
            val file = a.householdFile(hit.id)
            assertEquals("HZ-0001", file.household.customerNumber)
            assertEquals("文三路88号", file.household.address.street)
            assertEquals(listOf(office.orderNumber), file.workOrders.map { it.number })

            // Offline from here: the server is down while the technician works.
            office.stop()
            val (inspectionId, seal) = FieldWork.fullInspection(a, hit.id, tmp)
            val repairId = FieldWork.closeRepair(a, orderId, hit.id)
            assertFailsWith<DoorstepException.Network> { a.sync(null) }
            // The household's timeline says what was done, in both languages.
            val sealedLine = a.householdFile(hit.id).history.first { it.kind == HistoryKind.FORM }
            assertTrue(sealedLine.summary.zh.startsWith("表单已签封"), "${sealedLine.summary}")
            assertTrue(sealedLine.summary.en.startsWith("form sealed"), "${sealedLine.summary}")
            a.syncStatus().let { status ->
                assertTrue(status.pendingOperations > 0u)
                assertEquals(2, status.pendingPhotos.size)
            }

            // Back online on the same address: everything goes up once, in three phases.
            office.start()
            val phases = Phases()
            val report = a.sync(phases)
            val seen = synchronized(phases.seen) { phases.seen.toList() }
            assertEquals(setOf(SyncPhase.PUSH, SyncPhase.PHOTOS, SyncPhase.PULL), seen.map { it.phase }.toSet(), "$seen")
            assertTrue(seen.all { it.done <= it.total }, "$seen")
            assertEquals(2uL, report.photosUploaded)
            assertEquals(0uL, report.rejected)
            assertEquals(0uL, report.photosUnreadable)
            assertEquals(0uL, report.heldBack)
            a.syncStatus().let { status ->
                assertEquals(0uL, status.pendingOperations)
                assertEquals(emptyList(), status.pendingPhotos)
                assertEquals(emptyList(), status.rejected)
            }
            assertEquals(emptyList(), a.conflicts())
            assertEquals(emptyList(), a.pendingUploads())

            // A second phone of the same technician sees the day's results.
            phone(office, "b").use { b ->
                b.sync(null)
                val seenOrder = b.workOrder(orderId)
                assertEquals(WorkOrderStatus.RESOLVED, seenOrder.status)
                assertEquals(WorkOrderStatus.RESOLVED, seenOrder.steps.last().status)
                assertNotNull(b.householdFile(hit.id).household.lastInspectionAt)
                val sealed = b.form(inspectionId)
                assertEquals(seal.digest, assertNotNull(sealed.seal).digest)
                assertEquals(2, sealed.photos.size)
                assertEquals(2, sealed.signatures.size)
                assertNotNull(b.form(repairId).seal)
            }

            // The server holds one copy of each: both forms, both photos, every operation once.
            assertEquals(2L, office.count("SELECT count(*) FROM records WHERE entity = 'form'"))
            assertEquals(2L, office.count("SELECT count(*) FROM photos"))
            assertEquals(
                office.count("SELECT count(DISTINCT op_id) FROM ops"),
                office.count("SELECT count(*) FROM ops"),
            )
            assertEquals(
                report.pushed.toLong(),
                office.count("SELECT count(*) FROM ops WHERE device_id = ?", a.deviceId()),
            )
            a.closeStore()
        }
    }
}
