package app.doorstep.ui.screens

import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.lazy.itemsIndexed
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
import androidx.compose.ui.unit.dp
import app.doorstep.core.ChargeView
import app.doorstep.core.Event
import app.doorstep.core.OrderButton
import app.doorstep.core.OrderEvent
import app.doorstep.core.ScreenState
import app.doorstep.core.StepLine
import app.doorstep.core.WorkOrderScreen
import app.doorstep.ui.parts.ActionButton
import app.doorstep.ui.parts.Badges
import app.doorstep.ui.parts.ButtonLook
import app.doorstep.ui.parts.Card
import app.doorstep.ui.parts.CountdownBox
import app.doorstep.ui.parts.FieldRows
import app.doorstep.ui.parts.Message
import app.doorstep.ui.parts.ScreenFrame
import app.doorstep.ui.theme.Palette
import app.doorstep.ui.theme.Tones

/**
 * A work order (docs/screens.md, "Work order"): its badges and facts, the regulated clocks
 * (moved by the shell's Tick), the appointment, the steps oldest first, the buttons the core
 * decided (each sends its own OrderEvent; the first enabled one is drawn as the primary
 * action) and what was charged. An order not on this phone is the core's message alone.
 */
@Composable
fun OrderUi(screen: WorkOrderScreen, state: ScreenState, send: (Event) -> Unit) {
    ScreenFrame(screen.title, state, send) {
        val missing = screen.missing
        if (missing != null) {
            item(key = "missing") { Message(missing) }
            return@ScreenFrame
        }
        if (screen.badges.isNotEmpty()) item(key = "badges") { Badges(screen.badges) }
        item(key = "facts") { Card(modifier = Modifier.testTag("order.facts")) { FieldRows(screen.facts) } }
        itemsIndexed(screen.countdowns, key = { index, _ -> "countdown-$index" }) { index, countdown ->
            CountdownBox(countdown, Modifier.testTag("order.countdown.$index"))
        }
        screen.appointment?.let { appointment ->
            item(key = "appointment") {
                Card(tone = Tones.Soon, modifier = Modifier.testTag("order.appointment")) {
                    Text(appointment.label, color = Palette.Amber, style = MaterialTheme.typography.bodyMedium)
                    Text(appointment.value, color = Palette.Amber, style = MaterialTheme.typography.bodyLarge, fontWeight = FontWeight.SemiBold)
                }
            }
        }
        if (screen.steps.isNotEmpty()) {
            item(key = "steps") {
                Card(modifier = Modifier.testTag("order.steps")) {
                    screen.steps.forEachIndexed { index, step ->
                        if (index > 0) HorizontalDivider(color = Palette.Line)
                        Step(step, index)
                    }
                }
            }
        }
        // The primary look goes to the first step the order can take now (the file is no step).
        val primary = screen.actions.indexOfFirst { it.action.enabled && it.event != OrderEvent.OPEN_HOUSEHOLD }
        itemsIndexed(screen.actions, key = { index, button -> "action-$index-" + button.event.name }) { index, button ->
            Button(button, index, primary = index == primary, send = send)
        }
        if (screen.charges.isNotEmpty() || screen.chargesTotal != null) {
            item(key = "charges") {
                Card(modifier = Modifier.testTag("order.charges")) {
                    screen.charges.forEachIndexed { index, charge ->
                        if (index > 0) HorizontalDivider(color = Palette.Line)
                        Charge(charge, index)
                    }
                    screen.chargesTotal?.let { total ->
                        HorizontalDivider(color = Palette.Line)
                        Text(
                            total,
                            color = Palette.Ink,
                            style = MaterialTheme.typography.titleMedium,
                            fontWeight = FontWeight.Bold,
                            modifier = Modifier.testTag("order.charges_total"),
                        )
                    }
                }
            }
        }
    }
}

/** A step: its status, when, and who reported it. */
@Composable
private fun Step(step: StepLine, index: Int) {
    Column(
        Modifier
            .semantics(mergeDescendants = true) { contentDescription = step.accessibility }
            .testTag("order.step.$index"),
    ) {
        Row(verticalAlignment = Alignment.CenterVertically) {
            Text(
                step.status,
                color = Palette.Ink,
                style = MaterialTheme.typography.bodyLarge,
                fontWeight = FontWeight.SemiBold,
                modifier = Modifier.weight(1f),
            )
            Text(step.`when`, color = Palette.InkMuted, style = MaterialTheme.typography.bodyMedium)
        }
        Text(step.by, color = Palette.InkMuted, style = MaterialTheme.typography.bodyMedium)
    }
}

/** One of the core's buttons, sending its own event; disabled ones say why under them. */
@Composable
private fun Button(button: OrderButton, index: Int, primary: Boolean, send: (Event) -> Unit) {
    ActionButton(
        button.action,
        { send(Event.Order(button.event)) },
        look = if (primary) ButtonLook.Primary else ButtonLook.Secondary,
        tag = "order.action.$index",
    )
}

/** A charged line: item, quantity, unit price and the line's total, as the core wrote them. */
@Composable
private fun Charge(charge: ChargeView, index: Int) {
    Row(
        Modifier
            .semantics(mergeDescendants = true) { contentDescription = charge.accessibility }
            .testTag("order.charge.$index"),
        verticalAlignment = Alignment.CenterVertically,
    ) {
            Column(Modifier.weight(1f)) {
                Text(charge.item, color = Palette.Ink, style = MaterialTheme.typography.bodyLarge)
                Row(horizontalArrangement = Arrangement.spacedBy(8.dp)) {
                    Text(charge.unitPrice, color = Palette.InkMuted, style = MaterialTheme.typography.bodyMedium)
                    Text(charge.quantity, color = Palette.InkMuted, style = MaterialTheme.typography.bodyMedium)
                }
            }
            Text(charge.total, color = Palette.Ink, style = MaterialTheme.typography.bodyLarge, fontWeight = FontWeight.SemiBold)
    }
}
