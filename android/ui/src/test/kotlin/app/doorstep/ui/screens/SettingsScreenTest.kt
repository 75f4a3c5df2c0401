package app.doorstep.ui.screens

import androidx.compose.ui.test.assertIsDisplayed
import androidx.compose.ui.test.assertIsSelected
import androidx.compose.ui.test.junit4.createComposeRule
import androidx.compose.ui.test.onNodeWithTag
import androidx.compose.ui.test.onNodeWithText
import app.doorstep.core.Event
import app.doorstep.core.Office
import app.doorstep.core.Screen
import app.doorstep.ui.UiPhone
import org.junit.Assert.assertEquals
import org.junit.Rule
import org.junit.Test
import org.junit.rules.TemporaryFolder

/** Settings (docs/screens.md, "Settings"): the language switched by a tap redraws everything. */
class SettingsScreenTest {
    @get:Rule val rule = createComposeRule()
    @get:Rule val tmp = TemporaryFolder()

    @Test fun `switching to English in Settings redraws the app in English`(): Unit =
        Office.open(tmp.root.toPath()).use { office ->
            UiPhone(rule, tmp.newFolder("phone").toPath(), FormScreenTest.NOW).use { phone ->
                phone.show()
                val taps = Taps(phone)
                taps.enroll(office)
                taps.tap("today.settings")
                rule.onNodeWithText("设置").assertIsDisplayed()
                val chinese = (phone.state.body as Screen.Settings).v1
                rule.onNodeWithText(chinese.technician.value).assertIsDisplayed()
                taps.find("settings.language.zh").assertIsSelected()
                taps.checkTouchTargets()

                taps.tap("settings.language.en")
                val english = (phone.state.body as Screen.Settings).v1
                assertEquals("Settings", english.title)
                rule.onNodeWithText("Settings").assertIsDisplayed()
                rule.onNodeWithText(english.languageTitle).assertIsDisplayed()
                rule.onNodeWithText(english.lastSync.label).assertIsDisplayed()
                taps.find("settings.language.en").assertIsSelected()

                // Back on Today, in English too.
                phone.shell.send(Event.Back)
                rule.waitForIdle()
                assertEquals("Today", taps.today().title)
                rule.onNodeWithText("Today").assertIsDisplayed()
                rule.onNodeWithTag("back").assertDoesNotExist()
            }
        }
}
