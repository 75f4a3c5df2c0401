package app.doorstep.android

import android.app.Activity
import android.content.Context
import android.content.Intent
import android.os.Bundle
import androidx.activity.ComponentActivity
import androidx.activity.compose.setContent
import androidx.activity.result.contract.ActivityResultContract
import androidx.camera.core.CameraSelector
import androidx.camera.core.ImageAnalysis
import androidx.camera.core.ImageProxy
import androidx.camera.core.Preview
import androidx.camera.lifecycle.ProcessCameraProvider
import androidx.camera.view.PreviewView
import androidx.compose.foundation.background
import androidx.compose.foundation.layout.Box
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.layout.size
import androidx.compose.material.icons.Icons
import androidx.compose.material.icons.filled.Close
import androidx.compose.material3.Icon
import androidx.compose.material3.IconButton
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Text
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.res.stringResource
import androidx.compose.ui.unit.dp
import androidx.compose.ui.viewinterop.AndroidView
import androidx.core.content.ContextCompat
import app.doorstep.core.Symbology
import app.doorstep.ui.scan.CodeReader
import app.doorstep.ui.scan.LumaFrame
import app.doorstep.ui.theme.DoorstepTheme
import app.doorstep.ui.theme.Palette
import app.doorstep.ui.theme.Touch
import java.util.concurrent.ExecutorService
import java.util.concurrent.Executors
import java.util.concurrent.atomic.AtomicBoolean
import java.util.concurrent.atomic.AtomicInteger

/**
 * The code scanner (`Effect.Scan`): the camera's preview with the core's prompt over it; every
 * frame's luminance goes to android/ui's [CodeReader] (ZXing, tested on the JVM) on a worker
 * thread, and the first code read is the result. Back or the close button: no result (the
 * dispatcher answers Cancelled).
 */
class ScanActivity : ComponentActivity() {
    private val analysis: ExecutorService = Executors.newSingleThreadExecutor()
    private val found = AtomicBoolean(false)
    private val frames = AtomicInteger(0)

    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        val kinds = intent.getStringArrayExtra(KINDS).orEmpty().mapNotNull { name -> Symbology.entries.firstOrNull { it.name == name } }
        val prompt = intent.getStringExtra(PROMPT).orEmpty()
        val reader = CodeReader(kinds)
        setContent {
            DoorstepTheme {
                Box(Modifier.fillMaxSize().background(Palette.Ink)) {
                    AndroidView(
                        factory = { context -> PreviewView(context).also { bind(it, reader) } },
                        modifier = Modifier.fillMaxSize(),
                    )
                    Text(
                        prompt,
                        color = Palette.Paper,
                        style = MaterialTheme.typography.titleMedium,
                        modifier = Modifier.align(Alignment.TopCenter).fillMaxWidth().background(Palette.Ink).padding(16.dp),
                    )
                    IconButton(
                        onClick = { finish() },
                        modifier = Modifier.align(Alignment.BottomCenter).padding(24.dp).size(Touch.Primary),
                    ) {
                        Icon(Icons.Filled.Close, contentDescription = stringResource(R.string.scan_close), tint = Palette.Paper)
                    }
                }
            }
        }
    }

    private fun bind(preview: PreviewView, reader: CodeReader) {
        val providing = ProcessCameraProvider.getInstance(this)
        providing.addListener({
            val provider = providing.get()
            val shown = Preview.Builder().build().also { it.setSurfaceProvider(preview.surfaceProvider) }
            val frames = ImageAnalysis.Builder()
                .setBackpressureStrategy(ImageAnalysis.STRATEGY_KEEP_ONLY_LATEST)
                .build()
            frames.setAnalyzer(analysis) { image -> read(image, reader) }
            provider.unbindAll()
            provider.bindToLifecycle(this, CameraSelector.DEFAULT_BACK_CAMERA, shown, frames)
        }, ContextCompat.getMainExecutor(this))
    }

    private fun read(image: ImageProxy, reader: CodeReader) {
        image.use {
            if (found.get()) return
            // The Y plane: one byte of luminance per pixel, rows rowStride apart.
            val plane = image.planes[0]
            val buffer = plane.buffer
            val bytes = ByteArray(buffer.remaining()).also { buffer.get(it) }
            val frame = LumaFrame(bytes, image.width, image.height, plane.rowStride, image.imageInfo.rotationDegrees)
            // The quick pass on every frame; ZXing's slow passes on every fourth (a noisy, dim frame).
            val text = reader.read(frame, thorough = frames.getAndIncrement() % THOROUGH_EVERY == 0) ?: return
            if (!found.compareAndSet(false, true)) return
            runOnUiThread {
                setResult(Activity.RESULT_OK, Intent().putExtra(TEXT, text))
                finish()
            }
        }
    }

    override fun onDestroy() {
        analysis.shutdown()
        super.onDestroy()
    }

    /** What the scanner is asked: the kinds of code and the core's prompt. */
    data class Ask(val kinds: List<Symbology>, val prompt: String)

    /** Opens the scanner; the text read, or null when the user closed it. */
    class Contract : ActivityResultContract<Ask, String?>() {
        override fun createIntent(context: Context, input: Ask): Intent =
            Intent(context, ScanActivity::class.java)
                .putExtra(KINDS, input.kinds.map { it.name }.toTypedArray())
                .putExtra(PROMPT, input.prompt)

        override fun parseResult(resultCode: Int, intent: Intent?): String? =
            if (resultCode == Activity.RESULT_OK) intent?.getStringExtra(TEXT) else null
    }

    private companion object {
        const val KINDS = "kinds"
        const val PROMPT = "prompt"
        const val TEXT = "text"
        const val THOROUGH_EVERY = 4
    }
}
