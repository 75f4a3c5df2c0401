package app.doorstep.ui.screens

import androidx.compose.foundation.text.KeyboardOptions
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.ui.Modifier
import androidx.compose.ui.platform.testTag
import androidx.compose.ui.text.input.KeyboardType
import app.doorstep.core.EnrollEvent
import app.doorstep.core.EnrollField
import app.doorstep.core.EnrollScreen
import app.doorstep.core.Event
import app.doorstep.core.ScreenState
import app.doorstep.ui.parts.ActionButton
import app.doorstep.ui.parts.ButtonLook
import app.doorstep.ui.parts.Card
import app.doorstep.ui.parts.CoreTextField
import app.doorstep.ui.parts.ScreenFrame
import app.doorstep.ui.theme.Palette
import app.doorstep.ui.theme.Tones

/**
 * Enroll (docs/screens.md, "Enroll"): what to do, the server's address and the enrollment code
 * (each sent whole at every change, its problem beside it), Scan for the office's QR code, and
 * Submit; while enrolling, the core's progress; a message over the screen (no network, a
 * revoked device wiped).
 */
@Composable
fun EnrollUi(screen: EnrollScreen, state: ScreenState, send: (Event) -> Unit) {
    fun enroll(event: EnrollEvent) = send(Event.Enroll(event))
    ScreenFrame(screen.title, state, send) {
        screen.message?.let { message ->
            item(key = "message") {
                Card(tone = Tones.Danger, modifier = Modifier.testTag("enroll.message")) {
                    Text(message, color = Tones.Danger.text, style = MaterialTheme.typography.bodyLarge)
                }
            }
        }
        item(key = "intro") { Text(screen.intro, style = MaterialTheme.typography.bodyLarge, color = Palette.Ink) }
        item(key = "server") {
            Field(screen.server, KeyboardType.Uri, "enroll.server") { enroll(EnrollEvent.SetServer(it)) }
        }
        item(key = "code") {
            Field(screen.code, KeyboardType.Ascii, "enroll.code") { enroll(EnrollEvent.SetCode(it)) }
        }
        item(key = "scan") { ActionButton(screen.scan, { enroll(EnrollEvent.Scan) }, tag = "enroll.scan") }
        item(key = "submit") {
            ActionButton(screen.submit, { enroll(EnrollEvent.Submit) }, look = ButtonLook.Primary, tag = "enroll.submit")
        }
        screen.progress?.let { progress ->
            item(key = "progress") {
                Text(
                    progress,
                    style = MaterialTheme.typography.bodyLarge,
                    color = Palette.Blue,
                    modifier = Modifier.testTag("enroll.progress"),
                )
            }
        }
    }
}

@Composable
private fun Field(field: EnrollField, keyboard: KeyboardType, tag: String, onText: (String) -> Unit) {
    CoreTextField(
        value = field.value,
        onText = onText,
        label = field.label,
        placeholder = field.placeholder,
        problem = field.problem,
        description = field.accessibility,
        keyboard = KeyboardOptions(keyboardType = keyboard),
        tag = tag,
    )
}
