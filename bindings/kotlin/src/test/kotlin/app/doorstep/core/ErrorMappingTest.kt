package app.doorstep.core

import java.nio.file.Path
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertFalse
import kotlin.test.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.io.TempDir

/**
 * User story: when something goes wrong the app learns what kind of thing it is (fix a field,
 * make an amendment, ask for a new code, try again later) as a `DoorstepException` subclass it
 * can `when` over, never a person's data (bindings/python/tests/test_errors.py in Python).
 */
class ErrorMappingTest {
    @TempDir
    lateinit var tmp: Path

    private fun newStore(name: String = "s") = DeviceStore.open(tmp.resolve(name).toString(), generateStoreKey())

    private fun enrolledStore(office: Office): DeviceStore =
        newStore().also {
            it.enroll(office.url, office.enrollmentCode(), "test phone")
            it.sync(null)
        }

    @Test
    fun `a bad argument names the field to fix`() {
        val bad = assertFailsWith<DoorstepException.InvalidInput> {
            DeviceStore.open(tmp.resolve("s").toString(), "not-hex")
        }
        assertEquals("key_hex", bad.field)
        assertEquals("须为64个十六进制字符（256位）", bad.reasonZh)
        newStore().use { store ->
            assertEquals("household_id", assertFailsWith<DoorstepException.InvalidInput> {
                store.householdFile("HZ-0001 is not an id")
            }.field)
            assertFailsWith<DoorstepException.NotFound> {
                store.householdFile("01900000-0000-7000-8000-000000000001")
            }
            assertFailsWith<DoorstepException.NotEnrolled> { store.sync(null) }
            store.closeStore()
        }
    }

    @Test
    fun `a sealed form refuses a change and a malformed answer is refused`() = Office.open(tmp).use { office ->
        enrolledStore(office).use { store ->
            val household = store.searchHouseholds("HZ-0002", 1u).first().id
            val form = store.startForm("residential_inspection", household, null)
            val number = FieldWork.itemsOf(store.template(form.templateId)).values.first { it.kind is ItemKind.Number }
            val notANumber = assertFailsWith<DoorstepException.InvalidInput> {
                store.answer(form.id, number.id, AnswerValue.Number(value = "0,3.5"))
            }
            assertEquals(number.id, notANumber.field, "named by the item the screen marks")
            val notAReading = assertFailsWith<DoorstepException.InvalidInput> {
                store.answer(form.id, "meter_reading", AnswerValue.MeterReading(cubicMetres = "twelve"))
            }
            assertEquals("meter_reading", notAReading.field)
            val incomplete = assertFailsWith<DoorstepException.Incomplete> { store.completeForm(form.id) }
            assertTrue(incomplete.problems.any { it.item == "customer_signature" })
            val signature = incomplete.problems.first { it.item == "customer_signature" }
            assertEquals("缺少用户签字", describeFormProblem(signature.kind, Language.ZH))

            val (sealedId, _) = FieldWork.fullInspection(store, household, tmp)
            assertFailsWith<DoorstepException.Sealed> {
                store.answer(sealedId, "remarks", AnswerValue.Text(value = "改一下"))
            }
            // An amendment is the way to correct it.
            assertEquals(sealedId, store.amend(sealedId).amends)

            val orderId = store.workList(null).map { it.task }.filterIsInstance<WorkTask.Order>().first().workOrderId
            store.moveWorkOrder(orderId, WorkOrderStatus.ON_SITE, null)
            val backwards = assertFailsWith<DoorstepException.InvalidInput> {
                store.moveWorkOrder(orderId, WorkOrderStatus.ACCEPTED, null)
            }
            assertEquals("work_order.status", backwards.field)
        }
    }

    @Test
    fun `a refused signature is sealed only with a photo the phone took at the household`() = Office.open(tmp).use { office ->
        enrolledStore(office).use { store ->
            val here = store.searchHouseholds("HZ-0001", 1u).first().id
            val nextDoor = store.searchHouseholds("HZ-0002", 1u).first().id
            val form = store.startForm("residential_inspection", here, null)
            FieldWork.fill(store, form)
            store.attachPhoto(form.id, "site_photos", FieldWork.cameraPhoto(tmp.resolve("site.png"), 1), FieldWork.AT_THE_DOOR)
            fun refused(sha256: String) = VisitOutcome.CustomerRefusedToSign(reason = "用户拒绝签字", photoSha256 = sha256)

            val notTaken = assertFailsWith<DoorstepException.InvalidInput> { store.setOutcome(form.id, refused("ab".repeat(32))) }
            assertEquals("outcome.photo", notTaken.field)
            val elsewhere = store.takePhoto(nextDoor, FieldWork.cameraPhoto(tmp.resolve("door.png"), 2), FieldWork.AT_THE_DOOR)
            assertEquals("outcome.photo", assertFailsWith<DoorstepException.InvalidInput> {
                store.setOutcome(form.id, refused(elsewhere.sha256))
            }.field)

            val refusal = store.takePhoto(here, FieldWork.cameraPhoto(tmp.resolve("refusal.png"), 3), FieldWork.AT_THE_DOOR)
            store.setOutcome(form.id, refused(refusal.sha256))
            store.sign(form.id, "technician_signature", FieldWork.signature(SignerRole.TECHNICIAN, "周建国"))
            assertEquals(emptyList(), store.validateForm(form.id))
            store.completeForm(form.id)
            assertTrue(refusal.sha256 in store.pendingUploads())
            store.sync(null)
            assertEquals(emptyList(), store.pendingUploads())
            assertEquals(1L, office.count("SELECT count(*) FROM form_photos WHERE sha256 = ?", refusal.sha256))
        }
    }

    @Test
    fun `a wrong code is Auth and an unreachable server is Network`() = Office.open(tmp).use { office ->
        newStore("s").use { store ->
            assertFailsWith<DoorstepException.Auth> { store.enroll(office.url, "WRONGCODE123", "test phone") }
            val code = office.enrollmentCode()
            store.enroll(office.url, code, "test phone")
            newStore("t").use { other ->
                assertFailsWith<DoorstepException.Auth> { other.enroll(office.url, code, "second phone, same code") }
                assertFailsWith<DoorstepException.Network> {
                    other.enroll("http://127.0.0.1:${Office.freePort()}", office.enrollmentCode(), "test phone")
                }
                val notHttp = assertFailsWith<DoorstepException.InvalidInput> {
                    other.enroll("ftp://example", "CODE", "test phone")
                }
                assertEquals("server", notHttp.field)
            }
        }
    }

    @Test
    fun `error messages carry no personal data`() = Office.open(tmp).use { office ->
        enrolledStore(office).use { store ->
            val household = store.searchHouseholds("HZ-0001", 1u).first().id
            val form = store.startForm("residential_inspection", household, null)
            val person = "张伟 13812345678 文三路"
            // Each call is given the person's data where an app could put it by mistake, and
            // refused: the refusal names the field, never the value.
            val calls: List<() -> Unit> = listOf(
                { store.sign(form.id, "customer_signature", SignatureInput(SignerRole.CUSTOMER, "张伟", emptyList())) },
                { store.answer(form.id, "remarks", AnswerValue.Text(person.repeat(2000))) },
                { store.answer(form.id, "meter_reading", AnswerValue.MeterReading(person)) },
                { store.answer(form.id, "remarks", AnswerValue.Date(person)) },
                { store.startForm("residential_inspection", person, null) },
                { store.householdFile(person) },
            )
            for ((n, call) in calls.withIndex()) {
                val refused = assertFailsWith<DoorstepException>("call $n") { call() }
                for (personal in listOf("张伟", "13812345678", "文三路")) {
                    assertFalse(personal in refused.message.orEmpty(), "call $n: ${refused.message}")
                    assertFalse(personal in refused.toString(), "call $n: $refused")
                }
            }
        }
    }
}
