package app.doorstep.core

import java.awt.image.BufferedImage
import java.nio.file.Path
import java.time.Instant
import java.time.LocalDate
import java.time.ZoneOffset
import javax.imageio.ImageIO
import kotlin.random.Random
import kotlin.test.assertEquals
import kotlin.test.assertTrue

/**
 * What a technician does in a day, through the Kotlin bindings (the twin of
 * bindings/python/field.py). Forms are filled generically: the core says what is missing
 * (`validateForm`), and a plausible answer is given for each item's kind. Not named `Field`:
 * that is the generated record of a labelled field (the app layer's `parts::Field`), in this
 * same package, and a test class of that name would stand in for it at run time.
 */
object FieldWork {
    val AT_THE_DOOR = Position(lat = 30.271, lon = 120.121, accuracyM = 8.0)

    /** A PNG with sensor-like noise, different for every seed (so every photo is its own). */
    fun cameraPhoto(path: Path, seed: Int, width: Int = 640, height: Int = 480): String {
        val rng = Random(seed)
        val image = BufferedImage(width, height, BufferedImage.TYPE_INT_RGB)
        for (y in 0 until height) {
            val base = 90 + (y * 120) / height
            for (x in 0 until width) {
                val r = base + rng.nextInt(40)
                val g = base + rng.nextInt(40)
                val b = base + rng.nextInt(40)
                image.setRGB(x, y, (r shl 16) or (g shl 8) or b)
            }
        }
        check(ImageIO.write(image, "png", path.toFile())) { "no PNG writer" }
        return path.toString()
    }

    fun signature(role: SignerRole, name: String): SignatureInput {
        val stroke = (0 until 30).map { i ->
            StrokePoint(x = 10f + i * 6, y = 40f + (i % 5) * 7, tMs = (i * 16).toUInt(), pressure = 0.5f)
        }
        return SignatureInput(role = role, signerName = name, strokes = listOf(stroke))
    }

    fun itemsOf(template: Template): Map<String, Item> =
        template.sections.flatMap { it.items }.associateBy { it.id }

    /** A plausible answer for a required item: checks pass, the first choice, a reading. */
    fun anAnswer(item: Item, choose: Map<String, String> = emptyMap()): AnswerValue {
        choose[item.id]?.let { return AnswerValue.Choice(id = it) }
        return when (val kind = item.kind) {
            is ItemKind.Check -> AnswerValue.Check(result = CheckResult.PASS, advice = null)
            is ItemKind.MultipleChoice -> AnswerValue.Choices(ids = listOf(kind.choices.first().id))
            is ItemKind.SingleChoice -> AnswerValue.Choice(id = kind.choices.first().id)
            is ItemKind.Number -> AnswerValue.Number(value = kind.min ?: "0")
            is ItemKind.Text -> AnswerValue.Text(value = "现场检查正常")
            ItemKind.MeterReading -> AnswerValue.MeterReading(cubicMetres = "1234.567")
            ItemKind.Date -> AnswerValue.Date(value = LocalDate.now(ZoneOffset.UTC).toString())
            ItemKind.DateTime -> AnswerValue.DateTime(value = Instant.now())
            ItemKind.Location -> AnswerValue.Location(
                lat = AT_THE_DOOR.lat, lon = AT_THE_DOOR.lon, accuracyM = AT_THE_DOOR.accuracyM,
            )
            is ItemKind.Photo, is ItemKind.Signature -> error("no answer for ${item.id}: it takes a photo or a signature")
            ItemKind.Charges -> error("no answer for ${item.id}: charges are never required")
        }
    }

    /** Answers what the core says is missing, until only photos and signatures are left. */
    fun fill(store: DeviceStore, form: Form, choose: Map<String, String> = emptyMap()): Form {
        val items = itemsOf(store.template(form.templateId))
        repeat(100) {
            val missing = store.validateForm(form.id)
                .filter { it.kind == ProblemKind.Missing }
                .mapNotNull { it.item }
            if (missing.isEmpty()) return store.form(form.id)
            for (item in missing) {
                store.answer(form.id, item, anAnswer(items.getValue(item), choose))
            }
        }
        error("the form never stopped asking")
    }

    /** A residential inspection: every check, two photos, both signatures, sealed. */
    fun fullInspection(store: DeviceStore, householdId: String, photoDir: Path): Pair<String, Seal> {
        val form = store.startForm("residential_inspection", householdId, null)
        store.checkIn(householdId, AT_THE_DOOR)
        fill(store, form)
        for (n in 0 until 2) {
            val path = cameraPhoto(photoDir.resolve("site-$n.png"), seed = n)
            val photo = store.attachPhoto(form.id, "site_photos", path, AT_THE_DOOR)
            assertEquals(64, photo.sha256.length)
        }
        store.sign(form.id, "customer_signature", signature(SignerRole.CUSTOMER, "张伟"))
        store.sign(form.id, "technician_signature", signature(SignerRole.TECHNICIAN, "周建国"))
        assertEquals(emptyList(), store.validateForm(form.id))
        return form.id to store.completeForm(form.id)
    }

    /** The repair of a pipeline fault, on site and offline: statuses, the closing form, resolved. */
    fun closeRepair(store: DeviceStore, orderId: String, householdId: String): String {
        for (status in listOf(WorkOrderStatus.ACCEPTED, WorkOrderStatus.EN_ROUTE, WorkOrderStatus.ON_SITE)) {
            store.moveWorkOrder(orderId, status, AT_THE_DOOR)
        }
        val form = store.startForm("repair_closing", householdId, orderId)
        fill(store, form, choose = mapOf("repair_result" to "repaired"))
        store.sign(form.id, "customer_signature", signature(SignerRole.CUSTOMER, "张伟"))
        store.sign(form.id, "technician_signature", signature(SignerRole.TECHNICIAN, "周建国"))
        store.completeForm(form.id)
        val order = store.moveWorkOrder(orderId, WorkOrderStatus.RESOLVED, AT_THE_DOOR)
        assertEquals(WorkOrderStatus.RESOLVED, order.status)
        assertTrue(order.steps.map { it.status }.containsAll(listOf(WorkOrderStatus.ON_SITE, WorkOrderStatus.RESOLVED)))
        return form.id
    }
}
