package app.doorstep.ui.screens

import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.heightIn
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.layout.sizeIn
import androidx.compose.foundation.lazy.items
import androidx.compose.foundation.selection.selectable
import androidx.compose.foundation.selection.selectableGroup
import androidx.compose.foundation.text.KeyboardOptions
import androidx.compose.material.icons.Icons
import androidx.compose.material.icons.filled.Delete
import androidx.compose.material3.Icon
import androidx.compose.material3.IconButton
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.RadioButton
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.saveable.rememberSaveable
import androidx.compose.runtime.setValue
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.platform.testTag
import androidx.compose.ui.semantics.Role
import androidx.compose.ui.semantics.contentDescription
import androidx.compose.ui.semantics.semantics
import androidx.compose.ui.text.font.FontWeight
import androidx.compose.ui.text.input.KeyboardType
import androidx.compose.ui.unit.dp
import app.doorstep.core.ActionEvent
import app.doorstep.core.ActionField
import app.doorstep.core.ActionFieldKind
import app.doorstep.core.ActionFieldView
import app.doorstep.core.ActionScreen
import app.doorstep.core.Event
import app.doorstep.core.ScreenState
import app.doorstep.ui.parts.ActionButton
import app.doorstep.ui.parts.Beijing
import app.doorstep.ui.parts.ButtonLook
import app.doorstep.ui.parts.Card
import app.doorstep.ui.parts.DateTimePicker
import app.doorstep.ui.parts.ScreenFrame
import app.doorstep.ui.theme.Palette
import app.doorstep.ui.theme.Tones
import app.doorstep.ui.theme.Touch
import java.time.Instant

/**
 * A field action (docs/screens.md, "Field actions": open an order, edit contact details,
 * change the appointment, hand back, raise to major): what it concerns, its fields by kind,
 * each with the core's refusal beside it, the refusal that names no field, and Submit (the
 * screen's primary action, at the bottom). Every field holds what the core says it holds:
 * a text field sends its whole text at each change.
 */
@Composable
fun ActionUi(screen: ActionScreen, state: ScreenState, send: (Event) -> Unit) {
    fun action(event: ActionEvent) = send(Event.Action(event))
    // Where a time field's calendar opens while it holds no time: another time of the screen.
    val opensAt = screen.fields.firstNotNullOfOrNull { it.time } ?: Instant.now()
    ScreenFrame(
        screen.title,
        state,
        send,
        bottom = {
            ActionButton(screen.submit, { action(ActionEvent.Submit) }, look = ButtonLook.Primary, tag = "action.submit")
        },
    ) {
        item(key = "subject") {
            Text(screen.subject, color = Palette.Ink, style = MaterialTheme.typography.titleMedium, modifier = Modifier.testTag("action.subject"))
        }
        items(screen.fields, key = { it.field.tag() }) { field ->
            when (field.kind) {
                ActionFieldKind.TEXT, ActionFieldKind.LONG_TEXT, ActionFieldKind.PHONE -> TextInput(field, ::action)
                ActionFieldKind.TIME -> TimeInput(field, opensAt, ::action)
                ActionFieldKind.CHOICE -> ChoiceInput(field, ::action)
            }
        }
        screen.addPhone?.let { add ->
            item(key = "add-phone") { ActionButton(add, { action(ActionEvent.AddPhone) }, tag = "action.add_phone") }
        }
        screen.problem?.let { problem ->
            item(key = "problem") {
                Card(tone = Tones.Danger, modifier = Modifier.testTag("action.problem")) {
                    Text(problem, color = Palette.Red, style = MaterialTheme.typography.bodyLarge)
                }
            }
        }
    }
}

/** The tag of a field: `kind`, `reason`, `phone.0`, `window_from`... */
private fun ActionField.tag(): String = when (this) {
    is ActionField.Kind -> "kind"
    is ActionField.Description -> "description"
    is ActionField.FaultClass -> "fault_class"
    is ActionField.Phone -> "phone.$index"
    is ActionField.ContactName -> "contact_name"
    is ActionField.ContactRelation -> "contact_relation"
    is ActionField.ContactPhone -> "contact_phone"
    is ActionField.WindowFrom -> "window_from"
    is ActionField.WindowTo -> "window_to"
    is ActionField.AgreedBy -> "agreed_by"
    is ActionField.AgreedName -> "agreed_name"
    is ActionField.AgreedAt -> "agreed_at"
    is ActionField.Reason -> "reason"
}

/** The core's refusal of a field, beside it. */
@Composable
private fun Problem(field: ActionFieldView) {
    val problem = field.problem ?: return
    Text(
        problem,
        color = Palette.Red,
        style = MaterialTheme.typography.bodyMedium,
        modifier = Modifier.padding(start = 4.dp, top = 4.dp).testTag("action.problem." + field.field.tag()),
    )
}

/** Text, long text or a phone number: the whole text sent at each change; a phone can be removed. */
@Composable
private fun TextInput(field: ActionFieldView, action: (ActionEvent) -> Unit) {
    val phone = field.field as? ActionField.Phone
    Column {
        Row(verticalAlignment = Alignment.CenterVertically) {
            OutlinedTextField(
                value = field.value,
                onValueChange = { action(ActionEvent.SetText(field.field, it)) },
                label = { Text(field.label) },
                isError = field.problem != null,
                singleLine = field.kind != ActionFieldKind.LONG_TEXT,
                minLines = if (field.kind == ActionFieldKind.LONG_TEXT) 3 else 1,
                keyboardOptions = if (field.kind == ActionFieldKind.PHONE) KeyboardOptions(keyboardType = KeyboardType.Phone) else KeyboardOptions.Default,
                modifier = Modifier
                    .weight(1f)
                    .heightIn(min = Touch.Primary)
                    .semantics { contentDescription = field.accessibility }
                    .testTag("action.field." + field.field.tag()),
            )
            // Only the household's own numbers are removed (the contact person's is cleared).
            if (phone != null) {
                IconButton(
                    onClick = { action(ActionEvent.RemovePhone(phone.index)) },
                    modifier = Modifier
                        .sizeIn(minWidth = Touch.Minimum, minHeight = Touch.Minimum)
                        .semantics { contentDescription = field.label }
                        .testTag("action.remove_phone.${phone.index}"),
                ) { Icon(Icons.Filled.Delete, contentDescription = null, tint = Palette.Red) }
            }
        }
        Problem(field)
    }
}

/** A time: the core's words for it; tapped, the day and time pickers open under it. */
@Composable
private fun TimeInput(field: ActionFieldView, opensAt: Instant, action: (ActionEvent) -> Unit) {
    var open by rememberSaveable(field.field.tag()) { mutableStateOf(false) }
    Column {
        Card(
            accessibility = field.accessibility,
            onClick = { open = !open },
            modifier = Modifier.testTag("action.field." + field.field.tag()),
        ) {
            Text(field.label, color = Palette.InkMuted, style = MaterialTheme.typography.bodyMedium)
            Text(field.value, color = Palette.Ink, style = MaterialTheme.typography.titleMedium, fontWeight = FontWeight.SemiBold)
        }
        if (open) {
            DateTimePicker(
                chosen = field.time?.let(Beijing::date),
                opensAt = Beijing.date(opensAt),
                withTime = true,
                onPick = { action(ActionEvent.SetTime(field.field, Beijing.instant(it))) },
                tag = "action.picker." + field.field.tag(),
            )
        }
        Problem(field)
    }
}

/** A choice: one radio row per option, 48 dp high, sending Choose. */
@Composable
private fun ChoiceInput(field: ActionFieldView, action: (ActionEvent) -> Unit) {
    Column(Modifier.fillMaxWidth()) {
        Text(field.label, color = Palette.InkMuted, style = MaterialTheme.typography.bodyMedium)
        Column(Modifier.selectableGroup().testTag("action.field." + field.field.tag())) {
            for (choice in field.choices) {
                Row(
                    Modifier
                        .fillMaxWidth()
                        .heightIn(min = Touch.Minimum)
                        .selectable(
                            selected = choice.chosen,
                            onClick = { action(ActionEvent.Choose(field.field, choice.id)) },
                            role = Role.RadioButton,
                        )
                        .semantics { contentDescription = choice.label }
                        .testTag("action.choice." + field.field.tag() + "." + choice.id),
                    verticalAlignment = Alignment.CenterVertically,
                    horizontalArrangement = Arrangement.spacedBy(8.dp),
                ) {
                    RadioButton(selected = choice.chosen, onClick = null)
                    Text(choice.label, color = Palette.Ink, style = MaterialTheme.typography.bodyLarge)
                }
            }
        }
        Problem(field)
    }
}
