package app.doorstep.ui.screens

import androidx.compose.ui.test.assertIsDisplayed
import androidx.compose.ui.test.assertIsEnabled
import androidx.compose.ui.test.assertIsNotEnabled
import androidx.compose.ui.test.assertTextContains
import androidx.compose.ui.test.junit4.createComposeRule
import androidx.compose.ui.test.onNodeWithTag
import androidx.compose.ui.test.onNodeWithText
import androidx.compose.ui.test.performTextInput
import app.doorstep.core.Office
import app.doorstep.core.Screen
import app.doorstep.ui.UiPhone
import org.junit.Assert.assertEquals
import org.junit.Assert.assertTrue
import java.net.URLEncoder
import org.junit.Rule
import org.junit.Test
import org.junit.rules.TemporaryFolder

/** Enroll (docs/screens.md, "Enroll") typed and tapped against a real `doorstep serve`. */
class EnrollScreenTest {
    @get:Rule val rule = createComposeRule()
    @get:Rule val tmp = TemporaryFolder()

    @Test fun `a technician enrolls by typing the server and the code and tapping Submit, and Today follows`(): Unit =
        Office.open(tmp.root.toPath()).use { office ->
            UiPhone(rule, tmp.newFolder("phone").toPath(), FormScreenTest.NOW).use { phone ->
                phone.show()
                val taps = Taps(phone)
                val enroll = (phone.state.body as Screen.Enroll).v1
                rule.onNodeWithText(enroll.intro).assertIsDisplayed()
                rule.onNodeWithTag("enroll.submit").assertIsNotEnabled()
                rule.onNodeWithText(enroll.submit.disabledReason!!).assertIsDisplayed()
                taps.checkTouchTargets()

                taps.find("enroll.server").performTextInput(office.url)
                taps.find("enroll.server").assertTextContains(office.url)
                assertEquals(office.url, (phone.state.body as Screen.Enroll).v1.server.value)
                taps.find("enroll.code").performTextInput(office.enrollmentCode())
                rule.onNodeWithTag("enroll.submit").assertIsEnabled()
                taps.tap("enroll.submit")

                val today = taps.today()
                rule.onNodeWithText(today.title).assertIsDisplayed()
                assertTrue(today.technician, "周建国" in today.technician)
                rule.onNodeWithText(today.technician).assertIsDisplayed()
            }
        }

    @Test fun `a wrong code is refused beside the code field and the phone stays on Enroll`(): Unit =
        Office.open(tmp.root.toPath()).use { office ->
            UiPhone(rule, tmp.newFolder("phone").toPath(), FormScreenTest.NOW).use { phone ->
                phone.show()
                val taps = Taps(phone)
                taps.find("enroll.server").performTextInput(office.url)
                taps.find("enroll.code").performTextInput("WRONG-0000")
                taps.tap("enroll.submit")

                val enroll = (phone.state.body as Screen.Enroll).v1
                val problem = checkNotNull(enroll.code.problem) { "the code's problem: ${enroll.message}" }
                rule.onNodeWithText(problem).assertIsDisplayed()
                taps.find("enroll.code").assertTextContains("WRONG-0000")
            }
        }

    @Test fun `a technician enrolls by scanning the office's QR code`(): Unit =
        Office.open(tmp.root.toPath()).use { office ->
            UiPhone(rule, tmp.newFolder("phone").toPath(), FormScreenTest.NOW).use { phone ->
                phone.show()
                val taps = Taps(phone)
                val code = office.enrollmentCode()
                phone.platform.scans.addLast("doorstep://enroll?server=${URLEncoder.encode(office.url, Charsets.UTF_8)}&code=$code")
                taps.tap("enroll.scan")
                taps.find("enroll.server").assertTextContains(office.url)
                taps.find("enroll.code").assertTextContains(code)
                taps.tap("enroll.submit")
                rule.onNodeWithText(taps.today().title).assertIsDisplayed()
            }
        }
}
