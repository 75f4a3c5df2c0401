package app.doorstep.ui.screens

import androidx.compose.ui.test.assertIsDisplayed
import androidx.compose.ui.test.junit4.createComposeRule
import androidx.compose.ui.test.onNodeWithText
import app.doorstep.core.Office
import app.doorstep.core.Screen
import app.doorstep.ui.UiPhone
import org.junit.Assert.assertTrue
import org.junit.Rule
import org.junit.Test
import org.junit.rules.TemporaryFolder

/** The lock (docs/screens.md, "The lock"): five idle minutes lock; the button asks the prompt again. */
class LockedScreenTest {
    @get:Rule val rule = createComposeRule()
    @get:Rule val tmp = TemporaryFolder()

    @Test fun `a phone left idle locks and the Unlock button unlocks it after the prompt was dismissed`(): Unit =
        Office.open(tmp.root.toPath()).use { office ->
            UiPhone(rule, tmp.newFolder("phone").toPath(), FormScreenTest.NOW).use { phone ->
                phone.show()
                val taps = Taps(phone)
                taps.enroll(office)
                taps.today()

                phone.platform.unlockDismissed = true
                phone.tick(6)
                val locked = (phone.state.body as? Screen.Locked)?.v1 ?: error("not locked: ${phone.state.body::class.simpleName}")
                rule.onNodeWithText(locked.title).assertIsDisplayed()
                rule.onNodeWithText(locked.message).assertIsDisplayed()
                taps.checkTouchTargets()

                phone.platform.unlockDismissed = false
                taps.tap("locked.unlock")
                assertTrue(phone.state.body is Screen.Today)
                rule.onNodeWithText(taps.today().title).assertIsDisplayed()
            }
        }
}
