package app.doorstep.ui.scan

import app.doorstep.core.Symbology
import com.google.zxing.BarcodeFormat
import com.google.zxing.BinaryBitmap
import com.google.zxing.DecodeHintType
import com.google.zxing.LuminanceSource
import com.google.zxing.MultiFormatReader
import com.google.zxing.PlanarYUVLuminanceSource
import com.google.zxing.ReaderException
import com.google.zxing.common.GlobalHistogramBinarizer
import com.google.zxing.common.HybridBinarizer

/**
 * One camera frame's luminance (Android's Y plane, CameraX `ImageProxy.planes[0]`): [width] ×
 * [height] pixels, each row [rowStride] bytes apart (at least [width]), as the sensor gives it:
 * turned by [rotationDegrees] (0, 90, 180, 270, clockwise) from upright.
 */
class LumaFrame(
    val bytes: ByteArray,
    val width: Int,
    val height: Int,
    val rowStride: Int = width,
    val rotationDegrees: Int = 0,
) {
    init {
        require(width > 0 && height > 0 && rowStride >= width) { "a frame has a size" }
        require(bytes.size >= rowStride * (height - 1) + width) { "the plane is smaller than the frame" }
        require(rotationDegrees in setOf(0, 90, 180, 270)) { "a frame turns by quarter turns" }
    }

    /** The frame turned upright, rows packed. */
    fun upright(): LumaFrame {
        val packed = if (rowStride == width) bytes else ByteArray(width * height).also { out ->
            for (y in 0 until height) System.arraycopy(bytes, y * rowStride, out, y * width, width)
        }
        if (rotationDegrees == 0) return LumaFrame(packed, width, height)
        val w = if (rotationDegrees == 180) width else height
        val h = if (rotationDegrees == 180) height else width
        val out = ByteArray(w * h)
        for (y in 0 until height) {
            for (x in 0 until width) {
                val (nx, ny) = when (rotationDegrees) {
                    90 -> (height - 1 - y) to x
                    180 -> (width - 1 - x) to (height - 1 - y)
                    else -> y to (width - 1 - x)
                }
                out[ny * w + nx] = packed[y * width + x]
            }
        }
        return LumaFrame(out, w, h)
    }
}

/**
 * Reads a QR code or a barcode in camera frames with ZXing (no Google services, which many
 * phones in China do not have). The kinds the core asks for (`Effect.Scan.kinds`) decide the
 * formats: [Symbology.QR] the QR code (enrollment, customer cards), [Symbology.BARCODE] the 1D
 * codes meter nameplates and seals carry (Code 128, Code 39, EAN-13). The text is handed to
 * the core as read: the core checks it.
 */
class CodeReader(kinds: List<Symbology>) {
    private val quick = reader(kinds, tryHarder = false)
    private val hard = reader(kinds, tryHarder = true)

    /**
     * The code's text in [frame], or null when none is readable (the camera sends the next
     * frame). [thorough]: also the slow passes (ZXing's try-harder, the second binarizer, noise
     * smoothing), ten to twenty times the quick pass when there is nothing to find; a live
     * camera asks for them on some frames only, a single picture on its one frame.
     */
    @JvmOverloads
    fun read(frame: LumaFrame, thorough: Boolean = true): String? {
        val upright = frame.upright()
        // A label held crosswise: 1D readers look along rows, so the frame is tried turned too.
        val turned = LumaFrame(upright.bytes, upright.width, upright.height, rotationDegrees = 90).upright()
        decode(quick, upright.source(), thorough = false)?.let { return it }
        decode(quick, turned.source(), thorough = false)?.let { return it }
        if (!thorough) return null
        // A dim basement's sensor noise breaks a 1D code's thin bars along one row: averaged
        // down the bars (which run across the rows), the noise fades and the bars stay.
        return decode(hard, upright.source(), thorough = true) ?: decode(hard, turned.source(), thorough = true) ?:
            decode(hard, upright.smoothedDownColumns().source(), thorough = true) ?:
            decode(hard, turned.smoothedDownColumns().source(), thorough = true)
    }

    private fun LumaFrame.source() = PlanarYUVLuminanceSource(bytes, width, height, 0, 0, width, height, false)

    /** Each pixel the mean of itself and the two above and below it. */
    private fun LumaFrame.smoothedDownColumns(): LumaFrame {
        val out = ByteArray(width * height)
        for (y in 0 until height) {
            val from = (y - SMOOTH).coerceAtLeast(0)
            val to = (y + SMOOTH).coerceAtMost(height - 1)
            for (x in 0 until width) {
                var sum = 0
                for (yy in from..to) sum += bytes[yy * width + x].toInt() and 0xff
                out[y * width + x] = (sum / (to - from + 1)).toByte()
            }
        }
        return LumaFrame(out, width, height)
    }

    private fun decode(reader: MultiFormatReader, source: LuminanceSource, thorough: Boolean): String? {
        val binarizers = if (thorough) listOf(HybridBinarizer(source), GlobalHistogramBinarizer(source)) else listOf(HybridBinarizer(source))
        for (binarizer in binarizers) {
            try {
                return reader.decodeWithState(BinaryBitmap(binarizer)).text
            } catch (e: ReaderException) {
                continue
            } finally {
                reader.reset()
            }
        }
        return null
    }

    companion object {
        private const val SMOOTH = 2

        private fun reader(kinds: List<Symbology>, tryHarder: Boolean) = MultiFormatReader().apply {
            setHints(
                buildMap {
                    put(DecodeHintType.POSSIBLE_FORMATS, formats(kinds))
                    put(DecodeHintType.CHARACTER_SET, "UTF-8")
                    if (tryHarder) put(DecodeHintType.TRY_HARDER, true)
                },
            )
        }

        fun formats(kinds: List<Symbology>): List<BarcodeFormat> = kinds.flatMap { kind ->
            when (kind) {
                Symbology.QR -> listOf(BarcodeFormat.QR_CODE)
                Symbology.BARCODE -> listOf(BarcodeFormat.CODE_128, BarcodeFormat.CODE_39, BarcodeFormat.EAN_13)
            }
        }.distinct()
    }
}
