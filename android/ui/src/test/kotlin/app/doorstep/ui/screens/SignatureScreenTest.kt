package app.doorstep.ui.screens

import androidx.compose.ui.test.assertIsDisplayed
import androidx.compose.ui.test.assertIsEnabled
import androidx.compose.ui.test.assertIsNotEnabled
import androidx.compose.ui.test.assertTextContains
import androidx.compose.ui.test.junit4.createComposeRule
import androidx.compose.ui.test.onNodeWithContentDescription
import androidx.compose.ui.test.onNodeWithTag
import androidx.compose.ui.test.onNodeWithText
import app.doorstep.core.Office
import app.doorstep.ui.UiPhone
import java.io.File
import org.junit.Assert.assertEquals
import org.junit.Assert.assertNull
import org.junit.Assert.assertTrue
import org.junit.Rule
import org.junit.Test
import org.junit.rules.TemporaryFolder

/** The Signature screen (docs/screens.md, "Signature"): the pad drawn on by touch. */
class SignatureScreenTest {
    @get:Rule val rule = createComposeRule()
    @get:Rule val tmp = TemporaryFolder()

    @Test fun `a customer's signature is drawn stroke by stroke, cleared, drawn again and accepted`(): Unit =
        Office.open(tmp.root.toPath()).use { office ->
            UiPhone(rule, tmp.newFolder("phone").toPath(), FormScreenTest.NOW).use { phone ->
                phone.show()
                val taps = Taps(phone)
                taps.enroll(office)
                taps.startInspection()
                taps.tap("form.item.customer_signature.sign")

                // The pad, empty: its hint, Accept disabled with why; the account holder's name.
                var pad = taps.pad()
                rule.onNodeWithText(pad.title).assertIsDisplayed()
                rule.onNodeWithContentDescription(pad.padHint).assertIsDisplayed()
                taps.find("signature.name").assertTextContains("张伟")
                rule.onNodeWithTag("signature.accept").assertIsNotEnabled()
                rule.onNodeWithText(pad.accept.disabledReason!!).assertIsDisplayed()
                assertTrue("the phone is kept on while signing", phone.platform.screenOn)
                taps.checkTouchTargets()

                // One stroke: 13 points (pen down and 12 moves), previewed by the core.
                taps.stroke(80f)
                pad = taps.pad()
                assertEquals(1u, pad.strokes)
                assertEquals(13u, pad.points)
                val preview = checkNotNull(pad.previewPath) { "the core previews the ink" }
                assertTrue(File(preview).exists())

                // Cleared: nothing is held, the hint is back.
                taps.tap("signature.clear")
                pad = taps.pad()
                assertEquals(0u, pad.strokes)
                assertNull(pad.previewPath)
                rule.onNodeWithText(pad.padHint).assertIsDisplayed()

                taps.stroke(60f)
                taps.stroke(120f)
                pad = taps.pad()
                assertEquals(2u, pad.strokes)
                assertEquals(26u, pad.points)
                rule.onNodeWithTag("signature.accept").assertIsEnabled()
                taps.tap("signature.accept")

                // Back on the form, signed, with the core's notice.
                val item = taps.item("customer_signature")
                assertTrue(item.value, item.value!!.contains("张伟"))
                rule.onNodeWithTag("notice").assertIsDisplayed()
                rule.onNodeWithText(phone.state.notice!!.text).assertIsDisplayed()
                assertTrue("the screen may sleep again", !phone.platform.screenOn)
            }
        }

    @Test fun `cancelling the pad leaves the item unsigned`(): Unit =
        Office.open(tmp.root.toPath()).use { office ->
            UiPhone(rule, tmp.newFolder("phone").toPath(), FormScreenTest.NOW).use { phone ->
                phone.show()
                val taps = Taps(phone)
                taps.enroll(office)
                taps.startInspection()
                taps.tap("form.item.technician_signature.sign")
                taps.find("signature.name").assertTextContains("周建国")
                taps.stroke(80f)
                taps.tap("signature.cancel")
                assertNull(taps.item("technician_signature").value)
            }
        }
}
