package app.doorstep.ui.screens

import androidx.compose.ui.test.assertIsDisplayed
import androidx.compose.ui.test.assertIsEnabled
import androidx.compose.ui.test.assertIsNotEnabled
import androidx.compose.ui.test.junit4.createComposeRule
import androidx.compose.ui.test.onNodeWithTag
import androidx.compose.ui.test.onNodeWithText
import app.doorstep.core.Office
import app.doorstep.core.Screen
import app.doorstep.core.SyncScreen
import app.doorstep.ui.UiPhone
import org.junit.Assert.assertEquals
import org.junit.Assert.assertNotEquals
import org.junit.Rule
import org.junit.Test
import org.junit.rules.TemporaryFolder

/** Sync (docs/screens.md, "Sync"): the state drawn, Sync now tapped. */
class SyncScreenTest {
    @get:Rule val rule = createComposeRule()
    @get:Rule val tmp = TemporaryFolder()

    @Test fun `a technician opens Sync and syncs now with a tap`(): Unit =
        Office.open(tmp.root.toPath()).use { office ->
            UiPhone(rule, tmp.newFolder("phone").toPath(), FormScreenTest.NOW).use { phone ->
                phone.show()
                val taps = Taps(phone)
                taps.enroll(office)
                taps.tap("today.sync")
                var sync = sync(phone)
                rule.onNodeWithText(sync.status).assertIsDisplayed()
                rule.onNodeWithText(sync.waiting).assertIsDisplayed()
                assertEquals(3, sync.stages.size)
                for (stage in sync.stages) taps.find("sync.stage." + stage.stage.name.lowercase()).assertIsDisplayed()
                rule.onNodeWithTag("sync.now").assertIsEnabled()
                rule.onNodeWithTag("sync.cancel").assertIsNotEnabled()
                taps.checkTouchTargets()

                // Two minutes on, Sync now: the status tells the new sync's time and its result.
                val before = sync.status
                phone.tick(2)
                taps.tap("sync.now")
                sync = sync(phone)
                assertNotEquals("a new sync ran", before, sync.status)
                rule.onNodeWithText(sync.status).assertIsDisplayed()
                val result = checkNotNull(sync.lastResult) { "the sync's result" }
                rule.onNodeWithText(result).assertIsDisplayed()
                rule.onNodeWithTag("sync.now").assertIsEnabled()
            }
        }

    private fun sync(phone: UiPhone): SyncScreen =
        (phone.state.body as? Screen.Sync)?.v1 ?: error("not on Sync: ${phone.state.body::class.simpleName}")
}
