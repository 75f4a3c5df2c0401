package app.doorstep.ui.desktop

import androidx.compose.ui.graphics.ImageBitmap
import androidx.compose.ui.graphics.toComposeImageBitmap
import app.doorstep.ui.shell.ImageFiles
import java.io.File
import org.jetbrains.skia.Image

/** The JVM's [ImageFiles]: the file decoded by Skia (JPEG thumbnails, PNG signature previews). */
object SkiaImageFiles : ImageFiles {
    override fun load(path: String): ImageBitmap? = try {
        Image.makeFromEncoded(File(path).readBytes()).toComposeImageBitmap()
    } catch (e: Exception) {
        null
    }
}
