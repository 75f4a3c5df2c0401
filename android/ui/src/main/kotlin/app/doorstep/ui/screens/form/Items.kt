package app.doorstep.ui.screens.form

import androidx.compose.foundation.border
import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.ExperimentalLayoutApi
import androidx.compose.foundation.layout.FlowRow
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.size
import androidx.compose.foundation.shape.RoundedCornerShape
import androidx.compose.foundation.text.KeyboardOptions
import androidx.compose.material3.HorizontalDivider
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.getValue
import androidx.compose.runtime.key
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.saveable.rememberSaveable
import androidx.compose.runtime.setValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.layout.ContentScale
import androidx.compose.ui.platform.testTag
import androidx.compose.ui.semantics.contentDescription
import androidx.compose.ui.semantics.semantics
import androidx.compose.ui.text.font.FontWeight
import androidx.compose.ui.text.input.KeyboardType
import androidx.compose.ui.unit.dp
import app.doorstep.core.ChargeField
import app.doorstep.core.FormChargeView
import app.doorstep.core.FormCheckMark
import app.doorstep.core.FormEvent
import app.doorstep.core.FormItem
import app.doorstep.core.FormItemKind
import app.doorstep.core.FormOption
import app.doorstep.core.FormPhoto
import app.doorstep.core.PaymentMethod
import app.doorstep.ui.parts.ActionButton
import app.doorstep.ui.parts.Card
import app.doorstep.ui.parts.ChipChoice
import app.doorstep.ui.parts.ChoiceChips
import app.doorstep.ui.parts.CoreTextField
import app.doorstep.ui.parts.FileImage
import app.doorstep.ui.parts.Pill
import app.doorstep.ui.parts.ProblemText
import app.doorstep.ui.parts.SmallAction
import app.doorstep.ui.theme.Palette
import app.doorstep.ui.theme.Tones

/**
 * One item of a form (docs/screens.md, "Form"), drawn by its kind: its label and help, the
 * control its kind needs, the photos on it, its problems and the last effect's message beside
 * it. Every control sends the core's [FormEvent] named by the item's id; a sealed form's items
 * (`editable` false) are drawn read-only: answers and photos, no actions. Tags: `form.item.<id>` and `form.item.<id>.<part>`.
 */
@Composable
fun FormItemUi(item: FormItem, form: (FormEvent) -> Unit) {
    val tag = "form.item." + item.id
    var picking by rememberSaveable(item.id) { mutableStateOf(false) }
    val pickable = item.editable && (item.kind is FormItemKind.Date || item.kind is FormItemKind.DateTime)
    Card(
        accessibility = item.accessibility,
        onClick = if (pickable) ({ picking = !picking }) else null,
        modifier = Modifier.testTag(tag),
    ) {
        Text(
            item.label,
            style = MaterialTheme.typography.titleMedium,
            fontWeight = FontWeight.SemiBold,
            color = Palette.Ink,
        )
        item.help?.let { Text(it, style = MaterialTheme.typography.bodyMedium, color = Palette.InkMuted) }
        if (shownAsValue(item.kind)) {
            item.value?.let { Text(it, style = MaterialTheme.typography.bodyLarge, color = Palette.Ink, modifier = Modifier.testTag("$tag.value")) }
        }
        Control(item, tag, form)
        if (pickable && picking) Picker(item, tag, form)
        Photos(item, tag, form)
        item.problems.forEach { ProblemText(it) }
        item.message?.let { ProblemText(it) }
    }
}

/** Kinds whose control does not show the answer itself: the core's formatted value is drawn. */
private fun shownAsValue(kind: FormItemKind): Boolean = when (kind) {
    is FormItemKind.Date, is FormItemKind.DateTime, is FormItemKind.Signature,
    is FormItemKind.Location, is FormItemKind.Photo -> true
    else -> false
}

/** A check's marks are the options `pass`, `fail` and `na` (docs/screens.md). */
private fun markOf(id: String): FormCheckMark = when (id) {
    "pass" -> FormCheckMark.PASS
    "fail" -> FormCheckMark.FAIL
    else -> FormCheckMark.NOT_APPLICABLE
}

private fun List<FormOption>.chips() = map { ChipChoice(it.id, it.label, it.selected, it.accessibility) }

@Composable
private fun Control(item: FormItem, tag: String, form: (FormEvent) -> Unit) {
    val id = item.id
    when (val kind = item.kind) {
        is FormItemKind.Check -> {
            kind.hazard?.let { Pill(it, Tones.Danger) }
            ChoiceChips(kind.options.chips(), { form(FormEvent.Check(id, markOf(it))) }, enabled = item.editable, tagPrefix = tag)
            if (kind.adviceWanted || kind.advice.isNotEmpty()) {
                CoreTextField(
                    value = kind.advice,
                    onText = { form(FormEvent.Advice(id, it)) },
                    label = kind.adviceLabel,
                    description = item.accessibility,
                    enabled = item.editable,
                    singleLine = false,
                    tag = "$tag.advice",
                )
            }
        }
        is FormItemKind.Number -> NumberField(item, kind.typed, kind.unit, tag, form)
        is FormItemKind.MeterReading -> NumberField(item, kind.typed, kind.unit, tag, form)
        is FormItemKind.Text -> {
            CoreTextField(
                value = kind.typed,
                onText = { form(FormEvent.Type(id, it)) },
                description = item.accessibility,
                enabled = item.editable,
                singleLine = !kind.multiline,
                tag = "$tag.field",
            )
            if (item.editable) kind.scan?.let { SmallAction(it, { form(FormEvent.Scan(id)) }, tag = "$tag.scan") }
        }
        is FormItemKind.SingleChoice ->
            ChoiceChips(kind.options.chips(), { form(FormEvent.Choose(id, it)) }, enabled = item.editable, tagPrefix = tag)
        is FormItemKind.MultipleChoice ->
            ChoiceChips(kind.options.chips(), { form(FormEvent.Toggle(id, it)) }, enabled = item.editable, tagPrefix = tag)
        is FormItemKind.Signature ->
            if (item.editable) ActionButton(kind.sign, { form(FormEvent.Sign(id)) }, tag = "$tag.sign")
        is FormItemKind.Location ->
            if (item.editable) ActionButton(kind.locate, { form(FormEvent.Locate(id)) }, tag = "$tag.locate")
        is FormItemKind.Charges -> Charges(id, kind, item.editable, tag, form)
        is FormItemKind.Date, is FormItemKind.DateTime, is FormItemKind.Photo -> Unit
    }
}

/**
 * The fees collected at the door, field by field as the core takes them: each line's item,
 * quantity and unit price (yuan) with its total, its problem and Remove; Add line; the payment
 * methods as chips; the receipt; the total. The core parses; the fields hold what it says they
 * hold. Tags: `<tag>.line.<index>.<item|quantity|unit_price|total|remove>`, `<tag>.add_line`,
 * `<tag>.method.<method>`, `<tag>.receipt`, `<tag>.total`.
 */
@Composable
private fun Charges(id: String, kind: FormItemKind.Charges, editable: Boolean, tag: String, form: (FormEvent) -> Unit) {
    for (line in kind.lines) {
        key(line.index) {
            if (line.index > 0u) HorizontalDivider(color = Palette.Line)
            ChargeLine(id, line, editable, "$tag.line.${line.index}", form)
        }
    }
    if (kind.lines.isNotEmpty()) HorizontalDivider(color = Palette.Line)
    if (editable) ActionButton(kind.addLine, { form(FormEvent.ChargeAdd(id)) }, tag = "$tag.add_line")
    Text(kind.methodLabel, style = MaterialTheme.typography.bodyMedium, color = Palette.InkMuted)
    ChoiceChips(
        kind.methods.chips(),
        { picked -> form(FormEvent.ChargeMethod(id, methodOf(picked))) },
        enabled = editable,
        tagPrefix = "$tag.method",
    )
    CoreTextField(
        value = kind.receipt,
        onText = { form(FormEvent.ChargeReceipt(id, it)) },
        label = kind.receiptLabel,
        enabled = editable,
        tag = "$tag.receipt",
    )
    if (kind.total.isNotEmpty()) {
        Row(Modifier.testTag("$tag.total"), horizontalArrangement = Arrangement.spacedBy(8.dp)) {
            Text(kind.totalLabel, style = MaterialTheme.typography.titleMedium, color = Palette.Ink)
            Text(kind.total, style = MaterialTheme.typography.titleMedium, fontWeight = FontWeight.SemiBold, color = Palette.Ink)
        }
    }
}

@Composable
private fun ChargeLine(id: String, line: FormChargeView, editable: Boolean, tag: String, form: (FormEvent) -> Unit) {
    fun edit(field: ChargeField): (String) -> Unit = { form(FormEvent.ChargeEdit(id, line.index, field, it)) }
    Column(
        Modifier.testTag(tag).semantics(mergeDescendants = true) { contentDescription = line.accessibility },
        verticalArrangement = Arrangement.spacedBy(4.dp),
    ) {
        CoreTextField(
            value = line.item,
            onText = edit(ChargeField.ITEM),
            label = line.itemLabel,
            enabled = editable,
            tag = "$tag.item",
        )
        Row(horizontalArrangement = Arrangement.spacedBy(8.dp)) {
            CoreTextField(
                value = line.quantity,
                onText = edit(ChargeField.QUANTITY),
                modifier = Modifier.weight(1f),
                label = line.quantityLabel,
                enabled = editable,
                keyboard = KeyboardOptions(keyboardType = KeyboardType.Number),
                tag = "$tag.quantity",
            )
            CoreTextField(
                value = line.unitPrice,
                onText = edit(ChargeField.UNIT_PRICE),
                modifier = Modifier.weight(1.5f),
                label = line.unitPriceLabel,
                enabled = editable,
                keyboard = KeyboardOptions(keyboardType = KeyboardType.Decimal),
                tag = "$tag.unit_price",
            )
        }
        if (line.total.isNotEmpty()) {
            Text(line.total, style = MaterialTheme.typography.bodyLarge, color = Palette.Ink, modifier = Modifier.testTag("$tag.total"))
        }
        line.problem?.let { ProblemText(it) }
        if (editable) SmallAction(line.remove, { form(FormEvent.ChargeRemove(id, line.index)) }, tag = "$tag.remove")
    }
}

/** A payment method's option id is its `PaymentMethod` (docs/screens.md: `cash`, `wechat_pay`, ...). */
private fun methodOf(id: String): PaymentMethod? = when (id) {
    "cash" -> PaymentMethod.CASH
    "wechat_pay" -> PaymentMethod.WECHAT_PAY
    "alipay" -> PaymentMethod.ALIPAY
    "bank_card" -> PaymentMethod.BANK_CARD
    else -> null
}

/** The photos on an item (thumbnails the core wrote, each with its removal) and Take photo. */
@OptIn(ExperimentalLayoutApi::class)
@Composable
private fun Photos(item: FormItem, tag: String, form: (FormEvent) -> Unit) {
    if (item.photos.isNotEmpty()) {
        FlowRow(horizontalArrangement = Arrangement.spacedBy(8.dp), verticalArrangement = Arrangement.spacedBy(8.dp)) {
            for (photo in item.photos) Photo(item.id, photo, item.editable, "$tag.photo.${photo.sha256}", form)
        }
    }
    if (item.editable) item.takePhoto?.let { ActionButton(it, { form(FormEvent.TakePhoto(item.id)) }, tag = "$tag.photo") }
}

@Composable
private fun Photo(item: String, photo: FormPhoto, editable: Boolean, tag: String, form: (FormEvent) -> Unit) {
    Column(Modifier.testTag(tag), verticalArrangement = Arrangement.spacedBy(4.dp)) {
        FileImage(
            photo.path,
            photo.accessibility,
            Modifier.size(96.dp).border(1.dp, Palette.Line, RoundedCornerShape(4.dp)),
            ContentScale.Crop,
        )
        if (photo.path == null) Text(photo.accessibility, style = MaterialTheme.typography.bodySmall, color = Palette.InkMuted)
        if (editable) SmallAction(photo.remove, { form(FormEvent.RemovePhoto(item, photo.sha256)) }, tag = "$tag.remove")
    }
}

/** A number or a meter reading: the field holds what the core says it holds, with its unit. */
@Composable
private fun NumberField(item: FormItem, typed: String, unit: String, tag: String, form: (FormEvent) -> Unit) =
    CoreTextField(
        value = typed,
        onText = { form(FormEvent.Type(item.id, it)) },
        description = item.accessibility,
        suffix = unit,
        enabled = item.editable,
        keyboard = KeyboardOptions(keyboardType = KeyboardType.Decimal),
        tag = "$tag.field",
    )
