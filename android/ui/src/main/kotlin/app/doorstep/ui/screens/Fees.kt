package app.doorstep.ui.screens

import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.lazy.items
import androidx.compose.material3.HorizontalDivider
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.platform.testTag
import androidx.compose.ui.semantics.contentDescription
import androidx.compose.ui.semantics.heading
import androidx.compose.ui.semantics.semantics
import androidx.compose.ui.text.font.FontWeight
import androidx.compose.ui.unit.dp
import app.doorstep.core.Event
import app.doorstep.core.FeesCollection
import app.doorstep.core.FeesEvent
import app.doorstep.core.FeesLine
import app.doorstep.core.FeesScreen
import app.doorstep.core.FeesTotal
import app.doorstep.core.ScreenState
import app.doorstep.ui.parts.ActionButton
import app.doorstep.ui.parts.Card
import app.doorstep.ui.parts.Message
import app.doorstep.ui.parts.ScreenFrame
import app.doorstep.ui.parts.SmallAction
import app.doorstep.ui.theme.Palette
import app.doorstep.ui.theme.Tones

/**
 * Fees and settlement (docs/screens.md, "Fees and settlement"): the day shown and the buttons
 * to move it, each collection of that day (its lines, method, receipt, total and the
 * customer's receipt to open), what is handed in per method, the day's total, the receipts
 * and what to do with the settlement.
 */
@Composable
fun FeesUi(screen: FeesScreen, state: ScreenState, send: (Event) -> Unit) {
    fun fees(event: FeesEvent) = send(Event.Fees(event))
    ScreenFrame(screen.title, state, send) {
        item(key = "day") {
            // The day as the heading; the core's sentence of the whole day is what it reads out.
            Text(
                screen.day,
                color = Palette.Ink,
                style = MaterialTheme.typography.titleMedium,
                fontWeight = FontWeight.SemiBold,
                modifier = Modifier.testTag("fees.day").semantics {
                    heading()
                    contentDescription = screen.accessibility
                },
            )
        }
        item(key = "days") {
            Row(horizontalArrangement = Arrangement.spacedBy(8.dp), verticalAlignment = Alignment.Top) {
                SmallAction(screen.previous, { fees(FeesEvent.PreviousDay) }, Modifier.weight(1f), tag = "fees.previous")
                screen.today?.let { SmallAction(it, { fees(FeesEvent.Today) }, Modifier.weight(1f), tag = "fees.today") }
                SmallAction(screen.next, { fees(FeesEvent.NextDay) }, Modifier.weight(1f), tag = "fees.next")
            }
        }
        // Why a day button is disabled ("还没有到这一天"), under the row.
        val why = listOfNotNull(screen.previous, screen.today, screen.next)
            .mapNotNull { it.disabledReason?.takeIf { reason -> !it.enabled && reason.isNotEmpty() } }
        if (why.isNotEmpty()) {
            item(key = "days-why") {
                Column { for (reason in why) Text(reason, color = Palette.InkMuted, style = MaterialTheme.typography.bodySmall) }
            }
        }
        items(screen.collections, key = { "collection-" + it.formId }) { collection ->
            Collection(collection) { fees(FeesEvent.OpenReceipt(collection.formId)) }
        }
        screen.empty?.let { empty -> item(key = "empty") { Message(empty) } }
        if (screen.handIn.isNotEmpty()) {
            item(key = "hand-in") {
                Card(tone = Tones.Neutral, modifier = Modifier.testTag("fees.hand_in")) {
                    for (total in screen.handIn) HandIn(total)
                }
            }
        }
        item(key = "total") {
            Column(Modifier.fillMaxWidth().testTag("fees.total"), verticalArrangement = Arrangement.spacedBy(4.dp)) {
                Text(screen.total, color = Palette.Ink, style = MaterialTheme.typography.titleLarge, fontWeight = FontWeight.Bold)
                Text(screen.receipts, color = Palette.InkMuted, style = MaterialTheme.typography.bodyMedium)
            }
        }
        item(key = "settlement") {
            Text(screen.settlement, color = Palette.InkMuted, style = MaterialTheme.typography.bodyMedium, modifier = Modifier.testTag("fees.settlement"))
        }
    }
}

/** One sealed form with money collected: when, who, its lines, how paid, its receipt. */
@Composable
private fun Collection(collection: FeesCollection, openReceipt: () -> Unit) {
    Card(modifier = Modifier.testTag("fees.collection." + collection.formId)) {
        Column(
            Modifier.semantics(mergeDescendants = true) { contentDescription = collection.accessibility },
            verticalArrangement = Arrangement.spacedBy(4.dp),
        ) {
            Text(collection.time, color = Palette.InkMuted, style = MaterialTheme.typography.bodyMedium)
            Text(collection.household, color = Palette.Ink, style = MaterialTheme.typography.bodyLarge, fontWeight = FontWeight.SemiBold)
            for (line in collection.lines) {
                HorizontalDivider(color = Palette.Line)
                Line(line)
            }
            HorizontalDivider(color = Palette.Line)
            Row(verticalAlignment = Alignment.CenterVertically, horizontalArrangement = Arrangement.spacedBy(8.dp)) {
                Text(collection.method, color = Palette.Ink, style = MaterialTheme.typography.bodyMedium)
                Text(collection.receipt, color = Palette.InkMuted, style = MaterialTheme.typography.bodyMedium, modifier = Modifier.weight(1f))
                Text(collection.total, color = Palette.Ink, style = MaterialTheme.typography.titleMedium, fontWeight = FontWeight.Bold)
            }
        }
        ActionButton(collection.openReceipt, openReceipt, tag = "fees.open_receipt." + collection.formId)
    }
}

/** A charged line: item, quantity × unit price, its total. */
@Composable
private fun Line(line: FeesLine) {
    Row(
        Modifier.semantics(mergeDescendants = true) { contentDescription = line.accessibility },
        verticalAlignment = Alignment.CenterVertically,
    ) {
        Column(Modifier.weight(1f)) {
            Text(line.item, color = Palette.Ink, style = MaterialTheme.typography.bodyLarge)
            Text(line.quantity, color = Palette.InkMuted, style = MaterialTheme.typography.bodyMedium)
        }
        Text(line.total, color = Palette.Ink, style = MaterialTheme.typography.bodyLarge)
    }
}

/** What is handed in for one method. */
@Composable
private fun HandIn(total: FeesTotal) {
    Row(
        Modifier.fillMaxWidth().semantics(mergeDescendants = true) { contentDescription = total.accessibility },
        verticalAlignment = Alignment.CenterVertically,
    ) {
        Text(total.method, color = Palette.BlueDark, style = MaterialTheme.typography.bodyLarge, modifier = Modifier.weight(1f))
        Text(total.amount, color = Palette.BlueDark, style = MaterialTheme.typography.titleMedium, fontWeight = FontWeight.SemiBold)
    }
}
