package app.doorstep.ui.shots

import androidx.compose.ui.graphics.Color
import app.doorstep.ui.theme.ContrastPairs
import app.doorstep.ui.theme.Palette
import kotlin.math.pow
import org.junit.Assert.assertEquals
import org.junit.Assert.assertTrue
import org.junit.Test

/**
 * User story: a technician reads every text of the app in a dark stairwell and in the sun:
 * every text colour on its background (theme/ContrastPairs) has a contrast ratio of 4.5:1 or
 * more (WCAG 2 AA for body text), by WCAG's relative luminance.
 */
class ContrastTest {
    @Test
    fun `every text on its background reads at 4_5 to 1 or better`() {
        val weak = ContrastPairs
            .map { it to ratio(it.text, it.background) }
            .filter { (_, r) -> r < 4.5 }
            .map { (pair, r) -> "%s: %.2f:1".format(pair.name, r) }
        assertTrue("below 4.5:1: $weak", weak.isEmpty())
    }

    @Test
    fun `the ratio is WCAG's`() {
        // The formula's own end points and a known pair: black on white 21:1, #767676 on white 4.54:1.
        assertEquals(21.0, ratio(Color.Black, Color.White), 0.01)
        assertEquals(1.0, ratio(Palette.Blue, Palette.Blue), 0.001)
        assertEquals(4.54, ratio(Color(0xFF767676), Color.White), 0.01)
        assertTrue(ratio(Color(0xFF777777), Color.White) < 4.5)
    }

    companion object {
        /** WCAG 2: (L1 + 0.05) / (L2 + 0.05), the lighter's relative luminance over the darker's. */
        fun ratio(a: Color, b: Color): Double {
            val la = luminance(a)
            val lb = luminance(b)
            return (maxOf(la, lb) + 0.05) / (minOf(la, lb) + 0.05)
        }

        private fun luminance(c: Color): Double {
            fun linear(v: Float): Double = if (v <= 0.04045) v / 12.92 else ((v + 0.055) / 1.055).pow(2.4)
            return 0.2126 * linear(c.red) + 0.7152 * linear(c.green) + 0.0722 * linear(c.blue)
        }
    }
}
