package app.doorstep.ui.screens

import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.lazy.itemsIndexed
import androidx.compose.material3.LinearProgressIndicator
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.platform.testTag
import androidx.compose.ui.text.font.FontWeight
import androidx.compose.ui.unit.dp
import app.doorstep.core.Event
import app.doorstep.core.ScreenState
import app.doorstep.core.SetAsideLine
import app.doorstep.core.SyncEvent
import app.doorstep.core.SyncScreen
import app.doorstep.core.SyncStageLine
import app.doorstep.ui.parts.ActionButton
import app.doorstep.ui.parts.ButtonLook
import app.doorstep.ui.parts.Card
import app.doorstep.ui.parts.ScreenFrame
import app.doorstep.ui.parts.SectionTitle
import app.doorstep.ui.theme.Palette
import app.doorstep.ui.theme.Tones

/**
 * Sync (docs/screens.md, "Sync"): the status, the three stages with their progress, the last
 * result or failure, what waits, the work the server set aside (what, why, what to do), updates
 * held back for a newer app; Sync now and Cancel as the core enables them.
 */
@Composable
fun SyncUi(screen: SyncScreen, state: ScreenState, send: (Event) -> Unit) {
    fun sync(event: SyncEvent) = send(Event.Sync(event))
    ScreenFrame(
        screen.title,
        state,
        send,
        bottom = {
            Column(verticalArrangement = Arrangement.spacedBy(8.dp)) {
                ActionButton(screen.syncNow, { sync(SyncEvent.SYNC_NOW) }, look = ButtonLook.Primary, tag = "sync.now")
                ActionButton(screen.cancel, { sync(SyncEvent.CANCEL) }, tag = "sync.cancel")
            }
        },
    ) {
        item(key = "status") {
            Text(
                screen.status,
                style = MaterialTheme.typography.titleMedium,
                fontWeight = FontWeight.SemiBold,
                color = Palette.Ink,
                modifier = Modifier.testTag("sync.status"),
            )
        }
        itemsIndexed(screen.stages, key = { _, stage -> "stage-" + stage.stage.name }) { _, stage -> Stage(stage) }
        screen.lastResult?.let { result ->
            item(key = "result") { Text(result, style = MaterialTheme.typography.bodyLarge, color = Palette.Ink) }
        }
        screen.lastFailure?.let { failure ->
            item(key = "failure") {
                Card(tone = Tones.Danger, modifier = Modifier.testTag("sync.failure")) {
                    Text(failure, color = Tones.Danger.text, style = MaterialTheme.typography.bodyLarge)
                }
            }
        }
        item(key = "waiting") { Text(screen.waiting, style = MaterialTheme.typography.bodyLarge, color = Palette.Ink) }
        screen.heldBack?.let { held ->
            item(key = "held") {
                Card(tone = Tones.Soon, modifier = Modifier.testTag("sync.heldback")) {
                    Text(held, color = Tones.Soon.text, style = MaterialTheme.typography.bodyLarge)
                }
            }
        }
        if (screen.setAside.isNotEmpty()) {
            item(key = "aside-title") { SectionTitle(screen.setAsideTitle) }
            itemsIndexed(screen.setAside, key = { i, _ -> "aside-$i" }) { i, line -> SetAside(line, i) }
        }
    }
}

/** One stage: its label and progress in words, a bar when its total is known. */
@Composable
private fun Stage(stage: SyncStageLine) {
    val tone = if (stage.active) Tones.Neutral else null
    Card(accessibility = stage.accessibility, tone = tone, modifier = Modifier.testTag("sync.stage." + stage.stage.name.lowercase())) {
        Row(Modifier.fillMaxWidth(), verticalAlignment = Alignment.CenterVertically) {
            Text(
                stage.label,
                style = MaterialTheme.typography.titleMedium,
                color = tone?.text ?: Palette.Ink,
                modifier = Modifier.weight(1f),
            )
            Text(stage.progress, style = MaterialTheme.typography.bodyMedium, color = tone?.text ?: Palette.InkMuted)
        }
        if (stage.total > 0uL) {
            LinearProgressIndicator(
                progress = { (stage.done.toDouble() / stage.total.toDouble()).toFloat().coerceIn(0f, 1f) },
                modifier = Modifier.fillMaxWidth(),
                color = Palette.Blue,
                trackColor = Palette.BlueLight,
            )
        }
    }
}

/** Work the server refused or parked: what it was, why, what to do, when. */
@Composable
private fun SetAside(line: SetAsideLine, index: Int) {
    Card(accessibility = line.accessibility, tone = Tones.Danger, modifier = Modifier.testTag("sync.setaside.$index")) {
        Text(line.what, color = Tones.Danger.text, style = MaterialTheme.typography.titleMedium, fontWeight = FontWeight.SemiBold)
        Text(line.why, color = Tones.Danger.text, style = MaterialTheme.typography.bodyMedium)
        Text(line.toDo, color = Tones.Danger.text, style = MaterialTheme.typography.bodyMedium)
        Text(line.`when`, color = Tones.Danger.text, style = MaterialTheme.typography.bodySmall)
    }
}
