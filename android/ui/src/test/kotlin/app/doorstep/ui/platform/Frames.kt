package app.doorstep.ui.platform

import app.doorstep.ui.scan.LumaFrame
import com.google.zxing.BarcodeFormat
import com.google.zxing.EncodeHintType
import com.google.zxing.common.BitMatrix
import com.google.zxing.oned.Code128Writer
import com.google.zxing.oned.Code39Writer
import com.google.zxing.oned.EAN13Writer
import com.google.zxing.qrcode.QRCodeWriter
import kotlin.random.Random

/**
 * Camera frames made in the test: a code drawn by ZXing's own writers, printed dark on a light
 * label with its quiet zone, put on a grey background somewhere in the frame, with sensor
 * noise, then turned as the sensor would give it.
 */
object Frames {
    fun qr(text: String, modulePx: Int = 4): BitMatrix =
        QRCodeWriter().encode(text, BarcodeFormat.QR_CODE, 0, 0, mapOf(EncodeHintType.MARGIN to 4)).scaled(modulePx, modulePx)

    // MARGIN is both quiet zones together: 12 modules a side, more than the 10 the symbologies ask.
    fun code128(text: String, barPx: Int = 3, heightPx: Int = 90): BitMatrix =
        Code128Writer().encode(text, BarcodeFormat.CODE_128, 0, 1, mapOf(EncodeHintType.MARGIN to 24)).scaled(barPx, heightPx)

    fun code39(text: String, barPx: Int = 3, heightPx: Int = 90): BitMatrix =
        Code39Writer().encode(text, BarcodeFormat.CODE_39, 0, 1, mapOf(EncodeHintType.MARGIN to 24)).scaled(barPx, heightPx)

    fun ean13(digits: String, barPx: Int = 3, heightPx: Int = 90): BitMatrix =
        EAN13Writer().encode(digits, BarcodeFormat.EAN_13, 0, 1, mapOf(EncodeHintType.MARGIN to 24)).scaled(barPx, heightPx)

    /**
     * A [width] × [height] upright frame with [code] at ([left], [top]), noise of ±[noise]
     * grey levels, stored turned so that it needs [rotationDegrees] clockwise to be upright,
     * with rows [padding] bytes longer than the frame (as Android's Y planes often are).
     */
    fun frame(
        code: BitMatrix,
        width: Int = 640,
        height: Int = 480,
        left: Int = 60,
        top: Int = 40,
        noise: Int = 24,
        rotationDegrees: Int = 0,
        padding: Int = 0,
        seed: Int = 1,
    ): LumaFrame {
        require(left + code.width <= width && top + code.height <= height) { "the code fits the frame" }
        val random = Random(seed)
        val upright = ByteArray(width * height) { i ->
            val x = i % width - left
            val y = i / width - top
            val base = when {
                x !in 0 until code.width || y !in 0 until code.height -> 120
                code[x, y] -> 35
                else -> 215
            }
            (base + random.nextInt(-noise, noise + 1)).coerceIn(0, 255).toByte()
        }
        // Stored turned the other way: turning it by rotationDegrees makes it upright again.
        val stored = LumaFrame(upright, width, height, rotationDegrees = (360 - rotationDegrees) % 360).upright()
        if (padding == 0) return LumaFrame(stored.bytes, stored.width, stored.height, rotationDegrees = rotationDegrees)
        val stride = stored.width + padding
        val padded = ByteArray(stride * stored.height) { 0x7f }
        for (y in 0 until stored.height) System.arraycopy(stored.bytes, y * stored.width, padded, y * stride, stored.width)
        return LumaFrame(padded, stored.width, stored.height, stride, rotationDegrees)
    }

    private fun BitMatrix.scaled(sx: Int, sy: Int): BitMatrix {
        val out = BitMatrix(width * sx, height * sy)
        for (y in 0 until out.height) for (x in 0 until out.width) if (this[x / sx, y / sy]) out.set(x, y)
        return out
    }
}
