package app.doorstep.ui.screens

import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.Spacer
import androidx.compose.foundation.layout.size
import androidx.compose.foundation.layout.width
import androidx.compose.foundation.lazy.LazyListScope
import androidx.compose.foundation.lazy.items
import androidx.compose.foundation.lazy.itemsIndexed
import androidx.compose.material.icons.Icons
import androidx.compose.material.icons.filled.Build
import androidx.compose.material.icons.filled.Check
import androidx.compose.material.icons.filled.Create
import androidx.compose.material.icons.filled.Edit
import androidx.compose.material.icons.filled.Home
import androidx.compose.material.icons.filled.LocationOn
import androidx.compose.material.icons.filled.Notifications
import androidx.compose.material.icons.filled.Star
import androidx.compose.material.icons.filled.List
import androidx.compose.material3.Icon
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.graphics.vector.ImageVector
import androidx.compose.ui.platform.testTag
import androidx.compose.ui.text.font.FontWeight
import androidx.compose.ui.unit.dp
import app.doorstep.core.ApplianceLine
import app.doorstep.core.Event
import app.doorstep.core.Field
import app.doorstep.core.HouseholdEvent
import app.doorstep.core.HouseholdScreen
import app.doorstep.core.PhoneLine
import app.doorstep.core.ScreenState
import app.doorstep.core.TimelineKind
import app.doorstep.core.TimelineLine
import app.doorstep.ui.parts.ActionButton
import app.doorstep.ui.parts.Badges
import app.doorstep.ui.parts.Card
import app.doorstep.ui.parts.FieldRows
import app.doorstep.ui.parts.Message
import app.doorstep.ui.parts.ScreenFrame
import app.doorstep.ui.parts.SectionTitle
import app.doorstep.ui.parts.SmallAction
import app.doorstep.ui.theme.Palette
import app.doorstep.ui.theme.Tones

/**
 * The household file (docs/screens.md, "Household file"): what the technician reads at the
 * door, the forms that fit the household now, the file's actions and its timeline (newest
 * first). A household not on this phone is the core's message alone.
 */
@Composable
fun HouseholdUi(screen: HouseholdScreen, state: ScreenState, send: (Event) -> Unit) {
    fun household(event: HouseholdEvent) = send(Event.Household(event))
    ScreenFrame(screen.title, state, send) {
        val missing = screen.missing
        if (missing != null) {
            item(key = "missing") { Message(missing) }
            return@ScreenFrame
        }
        if (screen.badges.isNotEmpty()) item(key = "badges") { Badges(screen.badges) }
        item(key = "account") { Block(screen.account, "household.account") }
        itemsIndexed(screen.phones, key = { index, _ -> "phone-$index" }) { index, phone ->
            Phone(phone, index) { household(HouseholdEvent.Call(index.toUInt())) }
        }
        item(key = "supply") { Supply(screen) }
        if (screen.meter.isNotEmpty()) item(key = "meter") { Block(screen.meter, "household.meter") }
        items(screen.appliances.withIndex().toList(), key = { "appliance-" + it.index }) { (index, line) ->
            Appliance(line, index)
        }
        screen.specialGroup?.let { group ->
            item(key = "special") {
                Card(accessibility = group.accessibility, tone = Tones.Neutral, modifier = Modifier.testTag("household.special")) {
                    for (text in listOf(group.groups, group.needs, group.contact, group.registered)) {
                        if (text.isNotEmpty()) Text(text, color = Palette.BlueDark, style = MaterialTheme.typography.bodyMedium)
                    }
                }
            }
        }
        item(key = "next") { Block(listOf(screen.nextInspection), "household.next") }
        items(screen.formStarts, key = { "start-" + it.templateId }) { start ->
            ActionButton(
                start.action,
                { household(start.event) },
                tag = "household.start." + start.templateId,
            )
        }
        item(key = "actions") {
            Column(verticalArrangement = Arrangement.spacedBy(8.dp)) {
                ActionButton(screen.openOrder, { household(HouseholdEvent.NewOrder) }, tag = "household.open_order")
                ActionButton(screen.editContact, { household(HouseholdEvent.EditContact) }, tag = "household.edit_contact")
                ActionButton(screen.navigate, { household(HouseholdEvent.Navigate) }, tag = "household.navigate")
            }
        }
        timeline(screen.timeline, ::household)
    }
}

/** Fields in a plain bordered block. */
@Composable
private fun Block(fields: List<Field>, tag: String) {
    Card(modifier = Modifier.testTag(tag)) { FieldRows(fields) }
}

/** One number: whose it is, the number, and its Call button (the core's sentence says the number). */
@Composable
private fun Phone(phone: PhoneLine, index: Int, call: () -> Unit) {
    Card(modifier = Modifier.testTag("household.phone.$index")) {
        Row(verticalAlignment = Alignment.CenterVertically) {
            Column(Modifier.weight(1f)) {
                Text(phone.whose, color = Palette.InkMuted, style = MaterialTheme.typography.bodyMedium)
                Text(phone.number, color = Palette.Ink, style = MaterialTheme.typography.titleMedium)
            }
            SmallAction(phone.call, call, tag = "household.call.$index")
        }
    }
}

/** Whether gas flows: in the warning colour when it is off. */
@Composable
private fun Supply(screen: HouseholdScreen) {
    val supply = screen.supply
    val tone = if (supply.off) Tones.Danger else Tones.Done
    Card(accessibility = supply.accessibility, tone = tone, modifier = Modifier.testTag("household.supply")) {
        Text(supply.status, color = tone.text, style = MaterialTheme.typography.titleMedium, fontWeight = FontWeight.SemiBold)
        supply.detail?.let { Text(it, color = tone.text, style = MaterialTheme.typography.bodyMedium) }
    }
}

/** An appliance; a hazard (a water heater with no flue) in the warning colour. */
@Composable
private fun Appliance(line: ApplianceLine, index: Int) {
    val tone = if (line.hazard) Tones.Danger else null
    val text = tone?.text ?: Palette.Ink
    Card(accessibility = line.accessibility, tone = tone, modifier = Modifier.testTag("household.appliance.$index")) {
        Text(line.label, color = text, style = MaterialTheme.typography.bodyLarge, fontWeight = FontWeight.SemiBold)
        if (line.flue.isNotEmpty()) Text(line.flue, color = tone?.text ?: Palette.InkMuted, style = MaterialTheme.typography.bodyMedium)
    }
}

/** The timeline, newest first: a line that opens something is tappable and sends its event. */
private fun LazyListScope.timeline(lines: List<TimelineLine>, household: (HouseholdEvent) -> Unit) {
    if (lines.isEmpty()) return
    itemsIndexed(lines, key = { index, _ -> "timeline-$index" }) { index, line ->
        val opens = line.opens
        Card(
            accessibility = line.accessibility,
            onClick = opens?.let { { household(it) } },
            modifier = Modifier.testTag("household.timeline.$index"),
        ) {
            Row(verticalAlignment = Alignment.Top) {
                Icon(line.kind.icon(), contentDescription = null, tint = Palette.Blue, modifier = Modifier.size(20.dp))
                Spacer(Modifier.width(8.dp))
                Column(Modifier.weight(1f)) {
                    Text(line.`when`, color = Palette.InkMuted, style = MaterialTheme.typography.bodySmall)
                    Text(line.text, color = Palette.Ink, style = MaterialTheme.typography.bodyMedium)
                }
            }
        }
    }
}

/** The icon of a timeline line (a picture only: the line's words say what it is). */
private fun TimelineKind.icon(): ImageVector = when (this) {
    TimelineKind.FORM -> Icons.Filled.Check
    TimelineKind.DRAFT -> Icons.Filled.Edit
    TimelineKind.PHOTO -> Icons.Filled.Star
    TimelineKind.SIGNATURE -> Icons.Filled.Create
    TimelineKind.ORDER -> Icons.Filled.Build
    TimelineKind.READING -> Icons.Filled.List
    TimelineKind.VISIT -> Icons.Filled.LocationOn
    TimelineKind.NOTICE -> Icons.Filled.Notifications
    TimelineKind.FILE -> Icons.Filled.Home
}
