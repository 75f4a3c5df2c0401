package app.doorstep.ui.platform

import app.doorstep.core.DoorstepApp
import app.doorstep.core.Effect
import app.doorstep.core.EnrollEvent
import app.doorstep.core.Event
import app.doorstep.core.Language
import app.doorstep.core.Office
import app.doorstep.core.Screen
import app.doorstep.ui.shell.AesGcmKeyWrapper
import app.doorstep.ui.shell.FileKeyStorage
import app.doorstep.ui.shell.KeyVault
import app.doorstep.ui.shell.KeyVaultException
import java.io.File
import javax.crypto.KeyGenerator
import javax.crypto.SecretKey
import kotlin.test.assertContentEquals
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertFalse
import kotlin.test.assertNotEquals
import kotlin.test.assertTrue
import org.junit.Rule
import org.junit.Test
import org.junit.rules.TemporaryFolder

/**
 * The store key kept wrapped: a real AES-GCM wrapper (javax.crypto) stands in for the Android
 * Keystore's key, the wrapped bytes live in a real folder (Android's no-backup files), and the
 * key opens a real store.
 */
class KeyVaultTest {
    @get:Rule val tmp = TemporaryFolder()

    /** The hardware keystore: one AES key that stays in it, until it is reset or forgotten. */
    private class Keystore {
        var key: SecretKey? = null
        var forgotten = 0

        fun wrapper() = AesGcmKeyWrapper(
            key = { key ?: KeyGenerator.getInstance("AES").apply { init(256) }.generateKey().also { key = it } },
            forgetKey = { key = null; forgotten++ },
        )
    }

    private val keystore = Keystore()
    private val phone by lazy { tmp.newFolder("phone") }
    private val keyFile by lazy { File(tmp.newFolder("no_backup"), "store-key.wrapped") }
    private fun vault() = KeyVault(keystore.wrapper(), FileKeyStorage(keyFile), storeExists = { File(phone, "doorstep.db").exists() })

    @Test fun `a new phone makes its store key once and opens the same store with it after a restart`() {
        val key = vault().keyHex()
        assertTrue(key.matches(Regex("[0-9a-f]{64}")))
        val stored = keyFile.readBytes()
        assertFalse(String(stored, Charsets.ISO_8859_1).contains(key), "the key is never stored in clear")
        assertFalse(stored.toList().windowed(32).contains(key.chunked(2).map { it.toInt(16).toByte() }), "nor its raw bytes")

        DoorstepApp.open(phone.path, key, Language.ZH, "key vault test").use { app ->
            assertTrue(app.screen().body is Screen.Enroll)
        }
        assertTrue(File(phone, "doorstep.db").exists())

        // The process restarts: a new vault over the same keystore and file gives the same key.
        val again = vault().keyHex()
        assertEquals(key, again)
        assertContentEquals(stored, keyFile.readBytes(), "reading the key does not rewrite it")
        DoorstepApp.open(phone.path, again, Language.ZH, "key vault test").use { app ->
            assertTrue(app.screen().body is Screen.Enroll)
        }
        assertFalse(File(keyFile.path + ".new").exists(), "no temporary file is left")
    }

    @Test fun `a wrapped key changed on disk is refused and left as it was, never replaced by a new key`() {
        vault().keyHex()
        File(phone, "doorstep.db").writeText("the store")
        val stored = keyFile.readBytes()
        for (at in listOf(1, 5, 13, stored.size - 1)) {
            val changed = stored.copyOf().also { it[at] = (it[at].toInt() xor 0x01).toByte() }
            keyFile.writeBytes(changed)
            assertFailsWith<KeyVaultException.Unreadable>("byte $at") { vault().keyHex() }
            assertContentEquals(changed, keyFile.readBytes(), "the refused bytes stay for a later look")
        }
        keyFile.writeBytes(stored.copyOf(10))
        assertFailsWith<KeyVaultException.Unreadable> { vault().keyHex() }
        keyFile.writeBytes(byteArrayOf(9) + stored.copyOfRange(1, stored.size))
        assertFailsWith<KeyVaultException.Unreadable>("an unknown format") { vault().keyHex() }
    }

    @Test fun `a keystore that was reset leaves the key unreadable and the store untouched`() {
        val key = vault().keyHex()
        DoorstepApp.open(phone.path, key, Language.ZH, "key vault test").use { }
        keystore.key = null // a new lock screen, a keystore cleared by the system
        assertFailsWith<KeyVaultException.Unreadable> { vault().keyHex() }
        assertTrue(File(phone, "doorstep.db").exists())
    }

    @Test fun `a store whose wrapped key is gone is refused rather than given a new key`() {
        val key = vault().keyHex()
        DoorstepApp.open(phone.path, key, Language.ZH, "key vault test").use { }
        keyFile.delete()
        assertFailsWith<KeyVaultException.Lost> { vault().keyHex() }
        assertFalse(keyFile.exists(), "no key was made")
    }

    @Test fun `a technician who starts over after a lost key gets a new store, the old one set aside unread`() {
        val key = vault().keyHex()
        DoorstepApp.open(phone.path, key, Language.ZH, "key vault test").use { }
        vault().forget() // the key is gone (the app's data partly cleared, a keystore reset)
        assertFailsWith<KeyVaultException.Lost> { vault().keyHex() }

        val fresh = vault().keyHex(overExistingStore = true)
        assertNotEquals(key, fresh)
        // The core keeps the store it cannot read, beside a new one (what android/app does on "start over").
        assertFailsWith<app.doorstep.core.DoorstepException> { DoorstepApp.open(phone.path, fresh, Language.ZH, "key vault test") }
        assertTrue(phone.list()!!.any { it.startsWith("doorstep.db.unreadable") }, phone.list()!!.joinToString())
        DoorstepApp.open(phone.path, fresh, Language.ZH, "key vault test").use { app ->
            assertTrue(app.screen().body is Screen.Enroll)
        }
        assertEquals(fresh, vault().keyHex())
    }

    @Test fun `a revoked device forgets its key and the next enrollment gets a new one`() {
        val first = vault().keyHex()
        vault().forget()
        assertFalse(keyFile.exists())
        assertEquals(1, keystore.forgotten)
        val second = vault().keyHex()
        assertNotEquals(first, second)
        assertEquals(second, vault().keyHex())
    }

    @Test fun `a device revoked by the office is wiped, forgets its key and enrolls again with a new one`() {
        Office.open(tmp.root.resolve("office-data").toPath()).use { office ->
            val key = vault().keyHex()
            DoorstepApp.openWithTime(phone.path, key, Language.ZH, "key vault test", "2026-12-07T09:00:00+08:00").use { app ->
                app.handle(Event.Enroll(EnrollEvent.SetServer(office.url)))
                app.handle(Event.Enroll(EnrollEvent.SetCode(office.enrollmentCode())))
                app.handle(Event.Enroll(EnrollEvent.Submit))
                assertTrue(app.runEnrollment().screen.body is Screen.Today)
                val device = office.admin("device", "list").lines().drop(1).first { it.isNotBlank() }.split(Regex("\\s+")).first()
                office.admin("device", "revoke", device)

                val wiped = app.runSync(null)
                assertTrue(wiped.effects.any { it is Effect.ForgetStoreKey }, "the sync that learns it asks the key to go")
                assertTrue(wiped.screen.body is Screen.Enroll)
                // What android/app does on ForgetStoreKey.
                vault().forget()
            }
            assertFalse(File(phone, "doorstep.db").exists(), "the core deleted the store: a new key is not over an old store")
            val fresh = vault().keyHex()
            assertNotEquals(key, fresh)
            DoorstepApp.open(phone.path, fresh, Language.ZH, "key vault test").use { app ->
                assertTrue(app.screen().body is Screen.Enroll)
            }
        }
    }

    @Test fun `a crash while the key was being written leaves a key that still opens`() {
        val key = vault().keyHex()
        File(keyFile.path + ".new").writeBytes(byteArrayOf(1, 2, 3)) // half written, never renamed
        assertEquals(key, vault().keyHex())
    }
}
