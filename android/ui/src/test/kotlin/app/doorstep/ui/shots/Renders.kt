package app.doorstep.ui.shots

import androidx.compose.ui.ImageComposeScene
import androidx.compose.ui.unit.Density
import app.doorstep.core.ScreenState
import app.doorstep.ui.DoorstepScreen
import app.doorstep.ui.Themed
import java.awt.image.BufferedImage
import java.io.ByteArrayInputStream
import java.io.File
import javax.imageio.ImageIO
import kotlin.math.abs
import org.jetbrains.skia.EncodedImageFormat

/**
 * A screen drawn off-screen as a phone shows it: [DoorstepScreen] in the test theme ([Themed]:
 * Noto Sans CJK, the same on every machine) on a 360x800 dp phone at density 2 (720x1600 px),
 * and the comparison of a render with its reference image.
 */
object Renders {
    const val WIDTH_DP = 360
    const val HEIGHT_DP = 800
    const val DENSITY = 2f

    /** [state] drawn at [fontScale] (the user's text size setting), as PNG bytes. */
    fun png(state: ScreenState, fontScale: Float = 1f): ByteArray {
        val scene = ImageComposeScene(
            width = (WIDTH_DP * DENSITY).toInt(),
            height = (HEIGHT_DP * DENSITY).toInt(),
            density = Density(DENSITY, fontScale),
        ) { Themed { DoorstepScreen(state, send = {}) } }
        try {
            // A first frame lays out and starts what is remembered; the second draws it settled.
            scene.render(0L)
            val image = scene.render(1_000_000_000L)
            return checkNotNull(image.encodeToData(EncodedImageFormat.PNG)) { "PNG encoding failed" }.bytes
        } finally {
            scene.close()
        }
    }

    /** How a render compares with its reference. */
    data class Difference(val fraction: Double, val diff: BufferedImage?) {
        val sameSize get() = diff != null
    }

    /** Per channel, a difference up to this much is anti-aliasing, not a change (0..255). */
    const val CHANNEL_TOLERANCE = 24

    /** At most this fraction of pixels may differ by more than [CHANNEL_TOLERANCE]. */
    const val MAX_FRACTION = 0.005

    /**
     * The fraction of pixels of [actual] that differ from [expected] by more than
     * [CHANNEL_TOLERANCE] in a channel, and an image of the render with those pixels in red
     * (1.0 and no image when the sizes differ).
     */
    fun compare(expected: ByteArray, actual: ByteArray): Difference {
        val a = decode(expected)
        val b = decode(actual)
        if (a.width != b.width || a.height != b.height) return Difference(1.0, null)
        val diff = BufferedImage(b.width, b.height, BufferedImage.TYPE_INT_RGB)
        var differing = 0L
        for (y in 0 until b.height) {
            for (x in 0 until b.width) {
                val p = a.getRGB(x, y)
                val q = b.getRGB(x, y)
                val off = (0 until 32 step 8).any { shift -> abs((p ushr shift and 0xFF) - (q ushr shift and 0xFF)) > CHANNEL_TOLERANCE }
                if (off) differing++
                // The render faded to a third, the differing pixels red over it.
                diff.setRGB(x, y, if (off) 0xFF0000 else fade(q))
            }
        }
        return Difference(differing.toDouble() / (b.width.toLong() * b.height), diff)
    }

    fun writePng(image: BufferedImage, file: File) {
        check(ImageIO.write(image, "png", file)) { "no PNG writer" }
    }

    private fun decode(png: ByteArray): BufferedImage =
        checkNotNull(ImageIO.read(ByteArrayInputStream(png))) { "not an image" }

    private fun fade(rgb: Int): Int {
        fun c(shift: Int) = 170 + (rgb ushr shift and 0xFF) / 3
        return (c(16) shl 16) or (c(8) shl 8) or c(0)
    }
}
