package app.doorstep.core

import java.io.File
import java.nio.file.Path
import java.util.concurrent.Callable
import java.util.concurrent.ConcurrentLinkedQueue
import java.util.concurrent.Executors
import java.util.concurrent.TimeUnit
import java.util.concurrent.atomic.AtomicBoolean
import java.util.concurrent.atomic.AtomicInteger
import kotlin.io.path.listDirectoryEntries
import kotlin.io.path.name
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertIs
import kotlin.test.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.io.TempDir

/**
 * User story: the app opens and closes its store as the technician logs in and out, many
 * times a day, without leaking, and its screens call in from several threads while a sync
 * runs (bindings/python/tests/test_lifecycle.py in Python).
 *
 * Two ways to be done with a store in Kotlin: `closeStore()` closes the store itself (later
 * calls fail with `DoorstepException.Storage`; the object stays valid), and `destroy()` /
 * `close()` / `use {}` (AutoCloseable) free the Kotlin object's handle on the Rust object
 * (later calls fail with IllegalStateException, before they reach the library).
 */
class LifecycleTest {
    @TempDir
    lateinit var tmp: Path

    /** The process's open file descriptors, where the platform shows them (Linux). */
    private fun openFiles(): Int? = File("/proc/self/fd").list()?.size

    @Test
    fun `a closed store refuses calls and 200 logins and logouts leak nothing`() {
        val dir = tmp.resolve("s").toString()
        val key = generateStoreKey()
        val device = DeviceStore.open(dir, key).use { it.deviceId() }
        val filesBefore = openFiles()
        repeat(200) { i ->
            if (i % 2 == 0) {
                // Log out: close the store, then free the object.
                val store = DeviceStore.open(dir, key)
                assertEquals(device, store.deviceId())
                store.closeStore()
                assertIs<DoorstepException.Storage>(assertFailsWith<DoorstepException> { store.deviceId() })
                store.closeStore() // closing twice is harmless
                store.destroy()
                assertTrue(store.uniffiIsDestroyed)
                assertFailsWith<IllegalStateException> { store.deviceId() }
                store.destroy() // and so is destroying twice
            } else {
                // Or let `use {}` free it: the last reference going closes the store.
                val store = DeviceStore.open(dir, key).use { store ->
                    assertEquals(device, store.deviceId())
                    store
                }
                assertFailsWith<IllegalStateException> { store.deviceId() }
            }
        }
        // Every store's file handles went with it; the same installation opens again.
        val filesAfter = openFiles()
        if (filesBefore != null && filesAfter != null) {
            assertTrue(filesAfter <= filesBefore + 4, "open files grew from $filesBefore to $filesAfter")
        }
        DeviceStore.open(dir, key).use { assertEquals(device, it.deviceId()) }
    }

    @Test
    fun `a store opened with another key is moved aside, not deleted`() {
        val dir = tmp.resolve("s")
        DeviceStore.open(dir.toString(), generateStoreKey()).use { it.closeStore() }
        val unreadable = assertFailsWith<DoorstepException.Storage> {
            DeviceStore.open(dir.toString(), generateStoreKey())
        }
        assertTrue("moved aside" in unreadable.reason, unreadable.reason)
        assertTrue(dir.listDirectoryEntries().any { it.name.startsWith("doorstep.db.unreadable-") })
    }

    @Test
    fun `screens call from eight threads while a sync runs`() = Office.open(tmp).use { office ->
        DeviceStore.open(tmp.resolve("s").toString(), generateStoreKey()).use { store ->
            store.enroll(office.url, office.enrollmentCode(), "test phone")
            store.sync(null)
            val households = store.searchHouseholds("文三路", 10u).map { it.id }
            assertEquals(2, households.size)
            val forms = households.map { store.startForm("residential_inspection", it, null).id }
            val workListSize = store.workList(null).size
            val errors = ConcurrentLinkedQueue<Throwable>()
            val stop = AtomicBoolean(false)
            val syncs = AtomicInteger()

            val syncing = Thread {
                while (!stop.get()) {
                    try {
                        store.sync(null)
                        syncs.incrementAndGet()
                    } catch (e: Throwable) {
                        errors.add(e)
                    }
                }
            }
            syncing.start()
            val pool = Executors.newFixedThreadPool(8)
            try {
                val screens = (0 until 8).map { n ->
                    pool.submit(Callable {
                        val form = forms[n % 2]
                        val household = households[n % 2]
                        repeat(20) { i ->
                            assertEquals(workListSize, store.workList(null).size)
                            assertEquals(household, store.householdFile(household).household.id)
                            assertEquals(2, store.searchHouseholds("HZ-000", 5u).size)
                            val answered = store.answer(form, "remarks", AnswerValue.Text(value = "线程${n}第${i}次"))
                            assertEquals(form, answered.id)
                        }
                        n
                    })
                }
                assertEquals((0 until 8).toList(), screens.map { it.get(60, TimeUnit.SECONDS) }.sorted())
            } finally {
                stop.set(true)
                syncing.join(60_000)
                pool.shutdownNow()
            }
            assertEquals(emptyList(), errors.toList())
            assertTrue(syncs.get() > 0, "no sync finished while the screens worked")

            // Each form's last answer is some thread's last write to it: nothing torn, nothing lost.
            store.sync(null)
            assertEquals(0uL, store.syncStatus().pendingOperations)
            forms.forEachIndexed { f, form ->
                val remarks = store.form(form).answers.single { it.item == "remarks" }.answer
                val lastWrites = (0 until 8).filter { it % 2 == f }.map { "线程${it}第19次" }
                assertTrue(remarks is AnswerValue.Text && remarks.value in lastWrites, "$remarks")
            }
            store.closeStore()
        }
    }

    @Test
    fun `a sync can be cancelled from another thread`() = Office.open(tmp).use { office ->
        DeviceStore.open(tmp.resolve("s").toString(), generateStoreKey()).use { store ->
            store.enroll(office.url, office.enrollmentCode(), "test phone")
            val cancelOnFirst = object : SyncObserver {
                override fun onProgress(progress: SyncProgress) = store.cancelSync()
            }
            assertFailsWith<DoorstepException.Cancelled> { store.sync(cancelOnFirst) }
            assertTrue(store.sync(null).pulled > 0u)
            store.closeStore()
        }
    }
}
