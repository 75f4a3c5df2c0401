package app.doorstep.ui.scan

import app.doorstep.core.Symbology
import com.google.zxing.BarcodeFormat
import com.google.zxing.BinaryBitmap
import com.google.zxing.DecodeHintType
import com.google.zxing.LuminanceSource
import com.google.zxing.MultiFormatReader
import com.google.zxing.NotFoundException
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
    private val reader = MultiFormatReader().apply {
        setHints(
            mapOf(
                DecodeHintType.POSSIBLE_FORMATS to formats(kinds),
                DecodeHintType.TRY_HARDER to true,
                DecodeHintType.CHARACTER_SET to "UTF-8",
            ),
        )
    }

    /** The code's text in [frame], or null when none is readable (the camera sends the next frame). */
    fun read(frame: LumaFrame): String? {
        val upright = frame.upright()
        val source = PlanarYUVLuminanceSource(upright.bytes, upright.width, upright.height, 0, 0, upright.width, upright.height, false)
        // A label held crosswise: 1D readers look along rows, so the frame is tried turned too.
        return decode(source) ?: decode(source.turned())
    }

    private fun decode(source: LuminanceSource): String? {
        for (binarizer in listOf(HybridBinarizer(source), GlobalHistogramBinarizer(source))) {
            try {
                return reader.decodeWithState(BinaryBitmap(binarizer)).text
            } catch (e: NotFoundException) {
                continue
            } catch (e: ReaderException) {
                continue
            } finally {
                reader.reset()
            }
        }
        return null
    }

    private fun PlanarYUVLuminanceSource.turned(): LuminanceSource {
        val frame = LumaFrame(matrix, width, height, rotationDegrees = 90).upright()
        return PlanarYUVLuminanceSource(frame.bytes, frame.width, frame.height, 0, 0, frame.width, frame.height, false)
    }

    companion object {
        fun formats(kinds: List<Symbology>): List<BarcodeFormat> = kinds.flatMap { kind ->
            when (kind) {
                Symbology.QR -> listOf(BarcodeFormat.QR_CODE)
                Symbology.BARCODE -> listOf(BarcodeFormat.CODE_128, BarcodeFormat.CODE_39, BarcodeFormat.EAN_13)
            }
        }.distinct()
    }
}
