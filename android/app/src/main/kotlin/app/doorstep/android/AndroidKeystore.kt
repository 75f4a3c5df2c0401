package app.doorstep.android

import android.security.keystore.KeyGenParameterSpec
import android.security.keystore.KeyProperties
import app.doorstep.ui.shell.AesGcmKeyWrapper
import app.doorstep.ui.shell.KeyWrapper
import java.security.KeyStore
import javax.crypto.KeyGenerator
import javax.crypto.SecretKey

/**
 * The key that wraps the store key: AES-256-GCM in the Android Keystore (in the phone's secure
 * hardware where it has one), never exported. It needs no user authentication: the background
 * sync opens the store while the phone is locked. The wrapping itself is android/ui's
 * [AesGcmKeyWrapper], tested on the JVM.
 */
object AndroidKeystore {
    private const val PROVIDER = "AndroidKeyStore"
    private const val ALIAS = "doorstep.store-key-wrapper"

    fun wrapper(): KeyWrapper = AesGcmKeyWrapper(key = ::key, forgetKey = { keyStore().deleteEntry(ALIAS) })

    private fun keyStore(): KeyStore = KeyStore.getInstance(PROVIDER).apply { load(null) }

    /** The wrapping key; made on first use (after a reset it is new, and an old wrapped key will not unwrap). */
    @Synchronized
    private fun key(): SecretKey {
        (keyStore().getKey(ALIAS, null) as? SecretKey)?.let { return it }
        val generator = KeyGenerator.getInstance(KeyProperties.KEY_ALGORITHM_AES, PROVIDER)
        generator.init(
            KeyGenParameterSpec.Builder(ALIAS, KeyProperties.PURPOSE_ENCRYPT or KeyProperties.PURPOSE_DECRYPT)
                .setBlockModes(KeyProperties.BLOCK_MODE_GCM)
                .setEncryptionPaddings(KeyProperties.ENCRYPTION_PADDING_NONE)
                .setKeySize(256)
                .build(),
        )
        return generator.generateKey()
    }
}
