package app.doorstep.ui.screens

import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.lazy.items
import androidx.compose.material3.HorizontalDivider
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.platform.testTag
import androidx.compose.ui.semantics.contentDescription
import androidx.compose.ui.semantics.semantics
import androidx.compose.ui.text.font.FontWeight
import app.doorstep.core.Event
import app.doorstep.core.OutageBuilding
import app.doorstep.core.OutageEvent
import app.doorstep.core.OutageHousehold
import app.doorstep.core.OutageScreen
import app.doorstep.core.ScreenState
import app.doorstep.ui.parts.ActionButton
import app.doorstep.ui.parts.ButtonLook
import app.doorstep.ui.parts.Card
import app.doorstep.ui.parts.CountdownBox
import app.doorstep.ui.parts.Message
import app.doorstep.ui.parts.Pill
import app.doorstep.ui.parts.ScreenFrame
import app.doorstep.ui.theme.Palette
import app.doorstep.ui.theme.Tones

/**
 * A planned outage's notice (docs/screens.md, "Outage notice"): the notice as the office
 * wrote it, why, when, where, the emergency reason, the countdown to the moment everyone must
 * have been told, the progress, and the buildings in the core's order (still to tell first),
 * each with its households and its "notice posted" button.
 */
@Composable
fun OutageUi(screen: OutageScreen, state: ScreenState, send: (Event) -> Unit) {
    ScreenFrame(screen.title, state, send) {
        item(key = "notice") {
            Card(accessibility = screen.accessibility, modifier = Modifier.testTag("outage.notice")) {
                Text(screen.noticeTitle, color = Palette.Ink, style = MaterialTheme.typography.titleMedium, fontWeight = FontWeight.SemiBold)
                if (screen.reason.isNotEmpty()) Text(screen.reason, color = Palette.InkMuted, style = MaterialTheme.typography.bodyMedium)
                if (screen.period.isNotEmpty()) Text(screen.period, color = Palette.Ink, style = MaterialTheme.typography.bodyLarge)
                for (district in screen.districts) Text(district, color = Palette.InkMuted, style = MaterialTheme.typography.bodyMedium)
            }
        }
        screen.emergency?.let { emergency ->
            item(key = "emergency") {
                Card(tone = Tones.Danger, modifier = Modifier.testTag("outage.emergency")) {
                    Text(emergency, color = Palette.Red, style = MaterialTheme.typography.bodyLarge)
                }
            }
        }
        screen.deadline?.let { deadline -> item(key = "deadline") { CountdownBox(deadline, Modifier.testTag("outage.deadline")) } }
        if (screen.buildingsTotal > 0u) {
            item(key = "progress") {
                Column(Modifier.testTag("outage.progress")) {
                    Text(screen.progress, color = Palette.Ink, style = MaterialTheme.typography.titleMedium, fontWeight = FontWeight.SemiBold)
                    Text(screen.householdsProgress, color = Palette.InkMuted, style = MaterialTheme.typography.bodyMedium)
                }
            }
        }
        items(screen.buildings, key = { "building-" + it.key }) { building ->
            Building(building) { send(Event.Outage(OutageEvent.NoticePosted(building.key))) }
        }
        screen.empty?.let { empty -> item(key = "empty") { Message(empty) } }
    }
}

/** A building (the address without the room): who in it is told, and the notice posted at its entrance. */
@Composable
private fun Building(building: OutageBuilding, posted: () -> Unit) {
    Card(modifier = Modifier.testTag("outage.building." + building.key)) {
        Column(Modifier.semantics(mergeDescendants = true) { contentDescription = building.accessibility }) {
            Text(building.address, color = Palette.Ink, style = MaterialTheme.typography.titleMedium, fontWeight = FontWeight.SemiBold)
            Text(building.status, color = if (building.notified) Palette.Green else Palette.InkMuted, style = MaterialTheme.typography.bodyMedium)
        }
        for (household in building.households) {
            HorizontalDivider(color = Palette.Line)
            Household(household)
        }
        ActionButton(
            building.postNotice,
            posted,
            look = if (building.postNotice.enabled) ButtonLook.Primary else ButtonLook.Secondary,
            tag = "outage.post_notice." + building.key,
        )
    }
}

/** A household of the building: room, name, and whether it is told. */
@Composable
private fun Household(household: OutageHousehold) {
    Row(
        Modifier
            .semantics(mergeDescendants = true) { contentDescription = household.accessibility }
            .testTag("outage.household." + household.householdId),
        verticalAlignment = Alignment.CenterVertically,
    ) {
        Column(Modifier.weight(1f)) {
            Text(household.room, color = Palette.Ink, style = MaterialTheme.typography.bodyLarge)
            Text(household.name, color = Palette.InkMuted, style = MaterialTheme.typography.bodyMedium)
        }
        Pill(household.status, if (household.notified) Tones.Done else Tones.Soon)
    }
}
