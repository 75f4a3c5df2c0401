package app.doorstep.ui.shell

import app.doorstep.core.generateStoreKey
import java.io.File
import java.io.FileOutputStream
import java.io.IOException
import java.security.GeneralSecurityException
import java.security.ProviderException
import javax.crypto.Cipher
import javax.crypto.SecretKey
import javax.crypto.spec.GCMParameterSpec

/**
 * Seals the store key with a key that never leaves the platform's keystore. Android: an AES-GCM
 * key in the Android Keystore (android/app); the JVM tests: the same [AesGcmKeyWrapper] over an
 * AES key held in memory.
 */
interface KeyWrapper {
    fun wrap(plain: ByteArray): ByteArray

    /** The plain bytes; throws when [wrapped] was not sealed by this keystore's key (or was changed). */
    fun unwrap(wrapped: ByteArray): ByteArray

    /** Deletes the keystore's key (after the device was revoked and wiped). */
    fun forget()
}

/** Where the wrapped key lives: Android's no-backup files folder (never in a cloud backup). */
interface KeyStorage {
    fun read(): ByteArray?

    /** Replaces the stored bytes whole: a crash leaves the old bytes or the new, never a part. */
    fun write(bytes: ByteArray)

    fun delete()
}

/** Why the store key cannot be given: the app must say so and must not make a new key over the store. */
sealed class KeyVaultException(message: String, cause: Throwable? = null) : Exception(message, cause) {
    /** The wrapped key is there but will not unwrap: changed on disk, or the keystore's key was reset. */
    class Unreadable(cause: Throwable?) : KeyVaultException("the stored store key cannot be unwrapped", cause)

    /** The store exists but its wrapped key is gone (the app's files were partly cleared). */
    class Lost : KeyVaultException("the store exists but its key is gone")
}

/**
 * The store key (docs/screens.md: `DoorstepApp.open(directory, keyHex, …)`), kept wrapped by
 * [wrapper] in [storage]. The first open makes a key with the bindings' [generateStoreKey]; every
 * later open unwraps the same one. A key that will not unwrap is an error, never a reason to
 * make a new one: a new key over an existing store would set the store aside, and with it the
 * inspections not synced yet ([storeExists] tells whether there is one).
 */
class KeyVault(
    private val wrapper: KeyWrapper,
    private val storage: KeyStorage,
    private val storeExists: () -> Boolean,
    private val newKey: () -> String = ::generateStoreKey,
) {
    /**
     * The store key as the bindings take it: 64 hexadecimal characters. [overExistingStore]:
     * the technician chose to start over on a store whose key is lost (the core then sets that
     * store aside, unread, and opens a new one); never set without that choice.
     */
    @Throws(KeyVaultException::class)
    fun keyHex(overExistingStore: Boolean = false): String {
        val stored = storage.read()
        if (stored == null) {
            if (storeExists() && !overExistingStore) throw KeyVaultException.Lost()
            val key = newKey()
            storage.write(byteArrayOf(FORMAT) + wrapper.wrap(hexToBytes(key)))
            return key
        }
        val plain = try {
            require(stored.size > 1 && stored[0] == FORMAT) { "not a wrapped key" }
            wrapper.unwrap(stored.copyOfRange(1, stored.size))
        } catch (e: GeneralSecurityException) {
            throw KeyVaultException.Unreadable(e)
        } catch (e: IllegalArgumentException) {
            throw KeyVaultException.Unreadable(e)
        } catch (e: ProviderException) {
            // Android's keystore reports a key it lost (a reset, a new lock screen) this way too.
            throw KeyVaultException.Unreadable(e)
        }
        if (plain.size != KEY_BYTES) throw KeyVaultException.Unreadable(null)
        return plain.joinToString("") { "%02x".format(it.toInt() and 0xff) }
    }

    /** The device was revoked and its store wiped: the key goes too; the next [keyHex] makes a new one. */
    fun forget() {
        storage.delete()
        wrapper.forget()
    }

    private companion object {
        /** The first byte of the stored file: how the rest is laid out. */
        const val FORMAT: Byte = 1
        const val KEY_BYTES = 32

        fun hexToBytes(hex: String): ByteArray {
            require(hex.length == KEY_BYTES * 2) { "a store key is ${KEY_BYTES * 2} hexadecimal characters" }
            return ByteArray(KEY_BYTES) { hex.substring(it * 2, it * 2 + 2).toInt(16).toByte() }
        }
    }
}

/**
 * AES-GCM with the key [key] gives (Android: from the Android Keystore, which picks the IV
 * itself); the sealed bytes are the 12-byte IV then the ciphertext with its tag. [forgetKey]
 * deletes the key from its keystore.
 */
class AesGcmKeyWrapper(
    private val key: () -> SecretKey,
    private val forgetKey: () -> Unit,
) : KeyWrapper {
    override fun wrap(plain: ByteArray): ByteArray {
        val cipher = Cipher.getInstance(TRANSFORMATION)
        cipher.init(Cipher.ENCRYPT_MODE, key())
        cipher.updateAAD(AAD)
        val iv = cipher.iv
        check(iv.size == IV_BYTES) { "unexpected IV length" }
        return iv + cipher.doFinal(plain)
    }

    override fun unwrap(wrapped: ByteArray): ByteArray {
        if (wrapped.size <= IV_BYTES) throw GeneralSecurityException("wrapped key too short")
        val cipher = Cipher.getInstance(TRANSFORMATION)
        cipher.init(Cipher.DECRYPT_MODE, key(), GCMParameterSpec(TAG_BITS, wrapped, 0, IV_BYTES))
        cipher.updateAAD(AAD)
        return cipher.doFinal(wrapped, IV_BYTES, wrapped.size - IV_BYTES)
    }

    override fun forget() = forgetKey()

    private companion object {
        const val TRANSFORMATION = "AES/GCM/NoPadding"
        const val IV_BYTES = 12
        const val TAG_BITS = 128

        /** Binds the sealed bytes to what they are: the same key sealing something else will not pass for it. */
        val AAD = "doorstep store key v1".toByteArray()
    }
}

/** [KeyStorage] in one file ([file]), replaced through a temporary file renamed over it. */
class FileKeyStorage(private val file: File) : KeyStorage {
    private val temporary = File(file.parentFile, file.name + ".new")

    override fun read(): ByteArray? = if (file.exists()) file.readBytes() else null

    override fun write(bytes: ByteArray) {
        file.parentFile?.mkdirs()
        FileOutputStream(temporary).use { out ->
            out.write(bytes)
            out.fd.sync()
        }
        // rename(2) replaces the old file in one step. (java.nio.file would need API 26.)
        if (!temporary.renameTo(file)) throw IOException("the wrapped store key could not be put in place")
    }

    override fun delete() {
        temporary.delete()
        if (file.exists() && !file.delete()) throw IOException("the wrapped store key could not be deleted")
    }
}
