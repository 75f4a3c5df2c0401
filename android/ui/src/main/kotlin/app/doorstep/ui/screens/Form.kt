package app.doorstep.ui.screens

import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.lazy.items
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.foundation.lazy.rememberLazyListState
import androidx.compose.ui.Modifier
import androidx.compose.ui.platform.testTag
import androidx.compose.ui.text.font.FontWeight
import androidx.compose.ui.unit.dp
import app.doorstep.core.Event
import app.doorstep.core.FormEvent
import app.doorstep.core.FormOutcome
import app.doorstep.core.FormOutcomeChoice
import app.doorstep.core.FormScreen
import app.doorstep.core.FormSeal
import app.doorstep.core.ScreenState
import app.doorstep.ui.parts.ActionButton
import app.doorstep.ui.parts.ButtonLook
import app.doorstep.ui.parts.Card
import app.doorstep.ui.parts.ChipChoice
import app.doorstep.ui.parts.ChoiceChips
import app.doorstep.ui.parts.CoreTextField
import app.doorstep.ui.parts.Pill
import app.doorstep.ui.parts.ProblemText
import app.doorstep.ui.parts.ScreenFrame
import app.doorstep.ui.parts.SectionTitle
import app.doorstep.ui.screens.form.FormItemUi
import app.doorstep.ui.theme.Palette
import app.doorstep.ui.theme.Tones

/**
 * Form (docs/screens.md, "Form"): the household, whether it amends a sealed form, the sections
 * with the items the template shows now (screens/form/Items.kt draws each by its kind), how the
 * visit ended, the problems of the whole form, and Seal at the bottom with the core's progress
 * (disabled with its reason while anything is missing or a number is half typed). Once sealed:
 * when, the digest, what sealing changed, the papers for the customer, and Amend.
 */
@Composable
fun FormUi(screen: FormScreen, state: ScreenState, send: (Event) -> Unit) {
    fun form(event: FormEvent) = send(Event.Form(event))
    val list = rememberLazyListState()
    // Sealed: the seal block (at the top) is what the technician looks at next.
    val sealed = screen.sealed != null
    LaunchedEffect(sealed) { if (sealed) list.scrollToItem(0) }
    ScreenFrame(
        screen.title,
        state,
        send,
        listState = list,
        bottom = if (screen.sealed == null) {
            { SealBar(screen, ::form) }
        } else {
            null
        },
    ) {
        item(key = "head") {
            Column(verticalArrangement = Arrangement.spacedBy(4.dp)) {
                Text(screen.subtitle, style = MaterialTheme.typography.bodyLarge, color = Palette.Ink)
                screen.amendment?.let { Pill(it, Tones.Soon, Modifier.testTag("form.amendment")) }
            }
        }
        screen.sealed?.let { sealed -> item(key = "sealed") { Sealed(sealed, ::form) } }
        for (section in screen.sections) {
            item(key = "section-" + section.id) { SectionTitle(section.title) }
            items(section.items, key = { "item-" + it.id }) { item -> FormItemUi(item, ::form) }
        }
        item(key = "outcome") { Outcome(screen.outcome, editable = screen.sealed == null, ::form) }
        if (screen.formProblems.isNotEmpty()) {
            item(key = "problems") {
                Column(Modifier.testTag("form.problems")) { screen.formProblems.forEach { ProblemText(it) } }
            }
        }
        screen.amend?.let { amend ->
            item(key = "amend") { ActionButton(amend, { form(FormEvent.Amend) }, tag = "form.amend") }
        }
    }
}

/** The core's progress and Seal, always in reach under the list. */
@Composable
private fun SealBar(screen: FormScreen, form: (FormEvent) -> Unit) {
    Column(verticalArrangement = Arrangement.spacedBy(4.dp)) {
        Text(
            screen.progress.label,
            style = MaterialTheme.typography.bodyMedium,
            color = Palette.InkMuted,
            modifier = Modifier.testTag("form.progress"),
        )
        ActionButton(screen.seal, { form(FormEvent.Seal) }, look = ButtonLook.Primary, tag = "form.seal")
    }
}

/** How the visit ended; a visit without answers wants its note (the core says when). */
@Composable
private fun Outcome(outcome: FormOutcome, editable: Boolean, form: (FormEvent) -> Unit) {
    Column(verticalArrangement = Arrangement.spacedBy(8.dp)) {
        ChoiceChips(
            outcome.options.map { ChipChoice(it.id, it.label, it.selected, it.accessibility) },
            onPick = { id -> FormOutcomeChoice.entries.firstOrNull { it.name.lowercase() == id }?.let { form(FormEvent.SetOutcome(it)) } },
            enabled = editable,
            tagPrefix = "form.outcome",
        )
        if (outcome.noteWanted) {
            CoreTextField(
                value = outcome.note,
                onText = { form(FormEvent.Note(it)) },
                label = outcome.noteLabel,
                enabled = editable,
                singleLine = false,
                tag = "form.outcome.note",
            )
        }
        outcome.message?.let { ProblemText(it) }
    }
}

/** A sealed form: when, the digest, what sealing changed, and the papers for the customer. */
@Composable
private fun Sealed(sealed: FormSeal, form: (FormEvent) -> Unit) {
    Column(verticalArrangement = Arrangement.spacedBy(8.dp)) {
        Card(accessibility = sealed.accessibility, tone = Tones.Done, modifier = Modifier.testTag("form.sealed")) {
            Text(sealed.sealed, color = Tones.Done.text, style = MaterialTheme.typography.titleMedium, fontWeight = FontWeight.SemiBold)
            Text(sealed.digest, color = Tones.Done.text, style = MaterialTheme.typography.bodyMedium)
            sealed.consequences.forEach { Text(it, color = Tones.Done.text, style = MaterialTheme.typography.bodyLarge) }
        }
        for (copy in sealed.copies) {
            ActionButton(copy.open, { form(FormEvent.OpenCopy(copy.paper)) }, tag = "form.copy." + copy.paper.name.lowercase())
        }
    }
}
