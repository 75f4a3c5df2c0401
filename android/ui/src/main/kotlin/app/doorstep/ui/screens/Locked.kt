package app.doorstep.ui.screens

import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.ui.Modifier
import androidx.compose.ui.platform.testTag
import app.doorstep.core.Event
import app.doorstep.core.LockedScreen
import app.doorstep.core.ScreenState
import app.doorstep.ui.parts.ActionButton
import app.doorstep.ui.parts.ButtonLook
import app.doorstep.ui.parts.ScreenFrame
import app.doorstep.ui.theme.Palette

/**
 * Locked (docs/screens.md, "The lock"): the title, why, and Unlock, which asks the platform's
 * prompt again (the core sent it with the lock; this is for a prompt dismissed).
 */
@Composable
fun LockedUi(screen: LockedScreen, state: ScreenState, send: (Event) -> Unit) {
    ScreenFrame(screen.title, state, send) {
        item(key = "message") {
            Text(
                screen.message,
                style = MaterialTheme.typography.bodyLarge,
                color = Palette.Ink,
                modifier = Modifier.testTag("locked.message"),
            )
        }
        item(key = "unlock") {
            ActionButton(screen.unlock, { send(Event.Unlock) }, look = ButtonLook.Primary, tag = "locked.unlock")
        }
    }
}
