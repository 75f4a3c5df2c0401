package app.doorstep.ui.screens

import androidx.compose.ui.test.assertIsDisplayed
import androidx.compose.ui.test.assertIsEnabled
import androidx.compose.ui.test.assertIsNotEnabled
import androidx.compose.ui.test.assertTextContains
import androidx.compose.ui.test.junit4.createComposeRule
import androidx.compose.ui.test.onNodeWithTag
import androidx.compose.ui.test.onNodeWithText
import androidx.compose.ui.test.performClick
import app.doorstep.core.FormItemKind
import app.doorstep.core.Office
import app.doorstep.ui.UiPhone
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertNotNull
import org.junit.Assert.assertTrue
import org.junit.Rule
import org.junit.Test
import org.junit.rules.TemporaryFolder
import java.util.Locale

/**
 * The Form and Signature screens tapped through: a residential inspection answered on the
 * drawn form (docs/screens.md, "Form"), against the real library and a real `doorstep serve`.
 * The household and its form are reached by sending the events of screens drawn elsewhere; the
 * form and the signatures are done by taps, typing and touch on the pad.
 */
class FormScreenTest {
    @get:Rule val rule = createComposeRule()
    @get:Rule val tmp = TemporaryFolder()

    @Test fun `an inspector fails the leak test with advice and a photo, both sign on the pad by touch, and seals`(): Unit =
        onTheInspection { phone, taps ->
            // The leak test failed by a tap: the hazard asks for advice and a photo.
            taps.tap("form.item.leak_test.fail")
            var leak = taps.item("leak_test")
            val check = leak.kind as FormItemKind.Check
            assertTrue("advice is wanted", check.adviceWanted)
            assertNotNull("a photo can be taken", leak.takePhoto)
            rule.onNodeWithText(check.hazard!!).assertIsDisplayed()

            taps.type("form.item.leak_test.advice", Taps.ADVICE)
            taps.find("form.item.leak_test.advice").assertTextContains(Taps.ADVICE)
            taps.tap("form.item.leak_test.photo")
            leak = taps.item("leak_test")
            assertEquals(1, leak.photos.size)
            val photo = leak.photos.single()
            assertNotNull("the thumbnail is on this phone", photo.path)
            taps.findInside("form.item.leak_test.photo.${photo.sha256}").assertIsDisplayed()
            rule.onNodeWithTag("form.seal").assertIsNotEnabled()
            rule.onNodeWithText(taps.form().seal.disabledReason!!).assertIsDisplayed()
            taps.checkTouchTargets()

            // Everything else answered by taps; both signatures drawn on the pad by touch.
            taps.fillForm(answers = mapOf("leak_points" to "hose"), signers = mapOf("customer_signature" to "张伟"))
            val signed = taps.form().sections.flatMap { it.items }.filter { it.kind is FormItemKind.Signature }
            assertEquals(2, signed.size)
            assertTrue(signed.map { it.value }.toString(), signed.all { it.value!!.contains("已签") })
            for (item in signed) taps.findInside("form.item.${item.id}.value").assertTextContains(item.value!!)

            rule.onNodeWithTag("form.seal").assertIsEnabled()
            taps.tap("form.seal")

            // Sealed: when, the digest and what sealing changed, drawn at the top; Seal gone.
            val sealed = checkNotNull(taps.form().sealed) { "the form is sealed" }
            taps.find("form.sealed").assertIsDisplayed()
            rule.onNodeWithText(sealed.digest, substring = true).assertIsDisplayed()
            assertTrue(sealed.digest.startsWith("封存码 "))
            rule.onNodeWithText("已为重大隐患开复查工单", substring = true).assertIsDisplayed()
            rule.onNodeWithTag("form.seal").assertDoesNotExist()
            taps.find("form.copy.visit_report").assertIsEnabled()
            taps.find("form.copy.hazard_notice").assertIsEnabled()
            taps.checkTouchTargets()
            // A sealed form's items are read only.
            taps.find("form.item.meter_reading.field").assertIsNotEnabled()
        }

    @Test fun `a half typed number keeps its text and blocks Seal until it is a number`(): Unit =
        onTheInspection { _, taps ->
            taps.tap("form.item.leak_test_method.detector")
            taps.type("form.item.leak_detector_lel.field", "12.")
            taps.find("form.item.leak_detector_lel.field").assertTextContains("12.")
            val number = taps.item("leak_detector_lel")
            assertEquals("12.", (number.kind as FormItemKind.Number).typed)
            val why = checkNotNull(number.message) { "the item says why the text is not a number" }
            rule.onNodeWithText(why, useUnmergedTree = true).assertIsDisplayed()
            val seal = taps.form().seal
            assertFalse(seal.enabled)
            assertEquals("有未填完的数字", seal.disabledReason)
            rule.onNodeWithTag("form.seal").assertIsNotEnabled()
            rule.onNodeWithText(seal.disabledReason!!).assertIsDisplayed()

            // The number finished, everything else answered: Seal is enabled.
            taps.type("form.item.leak_detector_lel.field", "12.5")
            taps.find("form.item.leak_detector_lel.field").assertTextContains("12.5")
            assertEquals("12.5 %LEL", taps.item("leak_detector_lel").value)
            taps.fillForm(signers = mapOf("customer_signature" to "张伟"))
            rule.onNodeWithTag("form.seal").assertIsEnabled()
        }

    @Test fun `a rectification deadline is picked on the calendar that opens at today`(): Unit =
        inLocale(Locale.US) { onTheInspection { _, taps -> pickADeadline(taps) } }

    private fun pickADeadline(taps: Taps) {
        val item = taps.item("rectification_deadline")
        val initial = (item.kind as FormItemKind.Date).initial
        assertEquals(7u, initial.day)
        taps.tap("form.item.rectification_deadline")
        taps.findInside("form.item.rectification_deadline.picker").assertIsDisplayed()
        // Material's calendar names each day in the JVM's locale (pinned to en-US for this test).
        rule.onNodeWithText("December 20, 2026", substring = true, useUnmergedTree = true).performClick()
        rule.waitForIdle()
        val picked = checkNotNull(taps.item("rectification_deadline").value) { "the day is the answer" }
        assertEquals("2026年12月20日", picked)
        taps.findInside("form.item.rectification_deadline.value").assertTextContains(picked)
    }

    private fun inLocale(locale: Locale, story: () -> Unit) {
        val before = Locale.getDefault()
        Locale.setDefault(locale)
        try {
            story()
        } finally {
            Locale.setDefault(before)
        }
    }

    @Test fun `nobody home picked by a tap wants its note, and the visit is sealed with it`(): Unit =
        onTheInspection { phone, taps ->
            taps.tap("form.outcome.nobody_home")
            val outcome = taps.form().outcome
            assertTrue(outcome.noteWanted)
            rule.onNodeWithText(outcome.noteLabel).assertIsDisplayed()
            taps.type("form.outcome.note", "敲门无人应答，已留联系卡")
            taps.find("form.outcome.note").assertTextContains("敲门无人应答，已留联系卡")
            taps.fillForm(signers = mapOf("customer_signature" to "张伟"))
            taps.tap("form.seal")
            checkNotNull(taps.form().sealed) { "the visit is sealed" }
            taps.find("form.sealed").assertIsDisplayed()
            taps.find("form.outcome.nobody_home").assertIsNotEnabled()
            assertTrue(phone.state.notice != null)
        }

    /** An enrolled phone (by taps) on a new residential inspection of HZ-0001. */
    private fun onTheInspection(story: (UiPhone, Taps) -> Unit) {
        Office.open(tmp.root.toPath()).use { office ->
            UiPhone(rule, tmp.newFolder("phone").toPath(), NOW).use { phone ->
                phone.show()
                val taps = Taps(phone)
                taps.enroll(office)
                taps.startInspection()
                assertTrue("HZ-0001" in taps.form().subtitle)
                rule.onNodeWithText(taps.form().title).assertIsDisplayed()
                story(phone, taps)
            }
        }
    }

    companion object {
        const val NOW = "2026-12-07T09:00:00+08:00"
    }
}
