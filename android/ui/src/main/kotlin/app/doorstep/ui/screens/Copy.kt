package app.doorstep.ui.screens

import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.platform.testTag
import androidx.compose.ui.semantics.contentDescription
import androidx.compose.ui.semantics.semantics
import androidx.compose.ui.unit.dp
import app.doorstep.core.CopyEvent
import app.doorstep.core.CopyScreen
import app.doorstep.core.Event
import app.doorstep.core.ScreenState
import app.doorstep.ui.parts.ActionButton
import app.doorstep.ui.parts.ButtonLook
import app.doorstep.ui.parts.Card
import app.doorstep.ui.parts.FieldRows
import app.doorstep.ui.parts.ScreenFrame
import app.doorstep.ui.theme.Palette
import app.doorstep.ui.theme.Tones

/**
 * A copy for the customer (docs/screens.md, "A copy for the customer"): which paper, one line
 * about it, its summary, and Print and Share (the core writes the file and answers with the
 * Print or Share effect the shell carries out); why there is no paper when there is none.
 */
@Composable
fun CopyUi(screen: CopyScreen, state: ScreenState, send: (Event) -> Unit) {
    fun copy(event: CopyEvent) = send(Event.Copy(event))
    ScreenFrame(
        screen.title,
        state,
        send,
        bottom = {
            Row(horizontalArrangement = Arrangement.spacedBy(8.dp), verticalAlignment = Alignment.Top) {
                ActionButton(screen.print, { copy(CopyEvent.PRINT) }, Modifier.weight(1f), look = ButtonLook.Primary, tag = "copy.print")
                ActionButton(screen.share, { copy(CopyEvent.SHARE) }, Modifier.weight(1f), tag = "copy.share")
            }
        },
    ) {
        item(key = "paper") {
            Card(modifier = Modifier.testTag("copy.paper")) {
                Column(
                    Modifier.semantics(mergeDescendants = true) { contentDescription = screen.accessibility },
                    verticalArrangement = Arrangement.spacedBy(8.dp),
                ) {
                    Text(screen.description, color = Palette.Ink, style = MaterialTheme.typography.bodyLarge, modifier = Modifier.testTag("copy.description"))
                    FieldRows(screen.summary)
                    Text(screen.fileName, color = Palette.InkMuted, style = MaterialTheme.typography.bodySmall)
                }
            }
        }
        screen.problem?.let { problem ->
            item(key = "problem") {
                Card(tone = Tones.Danger, modifier = Modifier.testTag("copy.problem")) {
                    Text(problem, color = Palette.Red, style = MaterialTheme.typography.bodyLarge)
                }
            }
        }
    }
}
