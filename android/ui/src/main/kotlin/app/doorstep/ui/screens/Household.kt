package app.doorstep.ui.screens

import androidx.compose.runtime.Composable
import app.doorstep.core.Event
import app.doorstep.core.HouseholdScreen
import app.doorstep.core.ScreenState
import app.doorstep.ui.parts.Message
import app.doorstep.ui.parts.ScreenFrame

/** docs/screens.md: TO BE WRITTEN (skeleton; draws the title only). */
@Composable
fun HouseholdUi(screen: HouseholdScreen, state: ScreenState, send: (Event) -> Unit) {
    ScreenFrame(screen.title, state, send) {
        item { Message(screen.title) }
    }
}
