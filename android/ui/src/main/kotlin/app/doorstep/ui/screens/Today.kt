package app.doorstep.ui.screens

import androidx.compose.foundation.background
import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.ExperimentalLayoutApi
import androidx.compose.foundation.layout.FlowRow
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.heightIn
import androidx.compose.foundation.lazy.items
import androidx.compose.foundation.shape.RoundedCornerShape
import androidx.compose.foundation.layout.padding
import androidx.compose.material3.ExperimentalMaterial3Api
import androidx.compose.material3.FilterChip
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Text
import androidx.compose.material3.pulltorefresh.PullToRefreshBox
import androidx.compose.runtime.Composable
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.platform.testTag
import androidx.compose.ui.semantics.contentDescription
import androidx.compose.ui.semantics.semantics
import androidx.compose.ui.text.font.FontWeight
import androidx.compose.ui.unit.dp
import app.doorstep.core.Event
import app.doorstep.core.ScreenState
import app.doorstep.core.TodayEvent
import app.doorstep.core.TodayLine
import app.doorstep.core.TodayScreen
import app.doorstep.core.TodaySync
import app.doorstep.ui.parts.Badges
import app.doorstep.ui.parts.Card
import app.doorstep.ui.parts.CountdownBox
import app.doorstep.ui.parts.Message
import app.doorstep.ui.parts.ScreenFrame
import app.doorstep.ui.parts.SmallAction
import app.doorstep.ui.theme.Palette
import app.doorstep.ui.theme.Tones
import app.doorstep.ui.theme.Touch

/**
 * Today (docs/screens.md, "Today"): who and which day, the sync's state, planned outages, the
 * filters and the day's work in the core's walking order. Pulling the list down asks for a sync.
 */
@OptIn(ExperimentalMaterial3Api::class, ExperimentalLayoutApi::class)
@Composable
fun TodayUi(screen: TodayScreen, state: ScreenState, send: (Event) -> Unit) {
    fun today(event: TodayEvent) = send(Event.Today(event))
    PullToRefreshBox(
        isRefreshing = screen.sync.running,
        onRefresh = { today(TodayEvent.PullToSync) },
        modifier = Modifier.testTag("today.pull"),
    ) {
        ScreenFrame(screen.title, state, send) {
            item(key = "who") {
                Column {
                    Text(screen.technician, style = MaterialTheme.typography.titleMedium, color = Palette.Ink)
                    Text(screen.date, style = MaterialTheme.typography.bodyMedium, color = Palette.InkMuted)
                }
            }
            item(key = "buttons") {
                FlowRow(horizontalArrangement = Arrangement.spacedBy(8.dp), verticalArrangement = Arrangement.spacedBy(8.dp)) {
                    SmallAction(screen.syncButton, { today(TodayEvent.OpenSync) }, tag = "today.sync")
                    SmallAction(screen.search, { today(TodayEvent.OpenSearch) }, tag = "today.search")
                    SmallAction(screen.fees, { today(TodayEvent.OpenFees) }, tag = "today.fees")
                    SmallAction(screen.settings, { today(TodayEvent.OpenSettings) }, tag = "today.settings")
                }
            }
            item(key = "sync") { SyncBox(screen.sync) { today(TodayEvent.OpenSync) } }
            items(screen.outages, key = { "outage-" + it.outageId }) { banner ->
                Card(
                    accessibility = banner.accessibility,
                    tone = Tones.Soon,
                    onClick = { today(TodayEvent.OpenOutage(banner.outageId)) },
                    modifier = Modifier.testTag("today.outage"),
                ) { Text(banner.text, color = Palette.Amber, style = MaterialTheme.typography.bodyLarge) }
            }
            item(key = "filters") {
                FlowRow(horizontalArrangement = Arrangement.spacedBy(8.dp)) {
                    for (chip in screen.filters) {
                        FilterChip(
                            selected = chip.selected,
                            onClick = { today(TodayEvent.SetFilter(chip.filter)) },
                            label = { Text(chip.label) },
                            modifier = Modifier
                                .heightIn(min = Touch.Minimum)
                                .semantics { contentDescription = chip.accessibility }
                                .testTag("today.filter." + chip.filter.name.lowercase()),
                        )
                    }
                }
            }
            items(screen.lines, key = { it.position.toLong() }) { line -> Line(line, ::today) }
            screen.empty?.let { empty -> item(key = "empty") { Message(empty) } }
            item(key = "pull") {
                Text(screen.pullToSync, style = MaterialTheme.typography.bodySmall, color = Palette.InkMuted)
            }
        }
    }
}

/** The sync's state in a box that opens the Sync screen. */
@Composable
private fun SyncBox(sync: TodaySync, open: () -> Unit) {
    val tone = when {
        sync.failure != null || sync.refusedCount > 0uL -> Tones.Danger
        sync.waitingCount > 0uL -> Tones.Soon
        else -> Tones.Neutral
    }
    Card(accessibility = sync.accessibility, tone = tone, onClick = open, modifier = Modifier.testTag("today.syncstate")) {
        Text(sync.lastSync, color = tone.text, style = MaterialTheme.typography.bodyLarge, fontWeight = FontWeight.SemiBold)
        Text(sync.waiting, color = tone.text, style = MaterialTheme.typography.bodyMedium)
        sync.refused?.let { Text(it, color = tone.text, style = MaterialTheme.typography.bodyMedium) }
        sync.photos?.let { Text(it, color = tone.text, style = MaterialTheme.typography.bodyMedium) }
        sync.failure?.let { Text(it, color = tone.text, style = MaterialTheme.typography.bodyMedium) }
    }
}

/** One line of the day: opens its order, else its household. */
@OptIn(ExperimentalLayoutApi::class)
@Composable
private fun Line(line: TodayLine, today: (TodayEvent) -> Unit) {
    val open = line.orderId?.let { { today(TodayEvent.OpenOrder(it)) } }
        ?: line.householdId?.let { { today(TodayEvent.OpenHousehold(it)) } }
    Card(accessibility = line.accessibility, onClick = open, modifier = Modifier.testTag("today.line")) {
        Row(verticalAlignment = Alignment.CenterVertically) {
            Text(
                line.title,
                style = MaterialTheme.typography.titleMedium,
                fontWeight = FontWeight.SemiBold,
                color = Palette.Ink,
                modifier = Modifier.weight(1f),
            )
            line.distance?.let {
                Text(
                    it,
                    style = MaterialTheme.typography.labelLarge,
                    color = Palette.InkMuted,
                    modifier = Modifier
                        .background(Palette.PaperDim, RoundedCornerShape(6.dp))
                        .padding(horizontal = 6.dp, vertical = 2.dp),
                )
            }
        }
        Text(line.address, style = MaterialTheme.typography.bodyMedium, color = Palette.Ink)
        Text(line.reason, style = MaterialTheme.typography.bodyMedium, color = Palette.InkMuted)
        Badges(line.badges)
        line.countdown?.let { CountdownBox(it) }
    }
}
