"""A shell without a screen: drives `DoorstepApp` only through events, and carries out its
effects the way the Android and iOS shells do (docs/screens.md, "How a shell drives the app"),
so that a test reads as a technician's day.

    phone = Phone.open(folder, lang=doorstep.Language.ZH, now="2026-12-07T08:30:00+08:00")
    phone.enroll(office.url, code)          # typed on the Enroll screen, then Submit
    today = phone.on("TODAY")               # the Today record, as the shell would draw it
    phone.send(Event.TODAY(TodayEvent.OPEN_HOUSEHOLD(id=...)))

Effects: a photo is a test image (`field.camera_photo`, as the bindings' other tests use, or the
file `photo` names, e.g. `CAMERA_JPEG`, a real camera's JPEG) copied to the path the core chose,
then `PhotoTaken`; a scan
answers with the code `scans` holds next; a position with `position`; `SyncNow` runs the sync
at once (a shell runs it on a worker); a notification is recorded in `notified`; the rest
(map, call, share, print, keep the screen on, background sync) are recorded in `done`.
"""

import dataclasses
import gc
import pathlib
import shutil

import doorstep

import field

Event = doorstep.Event
FormEvent = doorstep.FormEvent

ROOT = pathlib.Path(__file__).resolve().parents[2]
# A real JPEG as a camera writes it (the libjpeg test image, in the core's photo fixtures).
CAMERA_JPEG = ROOT / "core" / "tests" / "fixtures" / "photos" / "jpeg" / "testorig.jpg"


@dataclasses.dataclass
class Phone:
    """One installation of the app: its folder, its key (the platform keystore's) and the app
    object over them. `reopen()` is the process killed and started again."""

    folder: pathlib.Path
    key: str
    lang: object
    now: str
    app: object = None
    screen: object = None
    notified: list = dataclasses.field(default_factory=list)
    done: list = dataclasses.field(default_factory=list)
    scans: list = dataclasses.field(default_factory=list)
    position: tuple = (30.271, 120.121, 8.0)
    photo: pathlib.Path = None
    syncs: int = 0
    photos_taken: int = 0
    during: list = dataclasses.field(default_factory=list)

    @classmethod
    def open(cls, folder, lang=None, now="2026-12-07T08:30:00+08:00"):
        phone = cls(
            folder=pathlib.Path(folder),
            key=doorstep.generate_store_key(),
            lang=lang if lang is not None else doorstep.Language.ZH,
            now=now,
        )
        phone.reopen()
        return phone

    def reopen(self):
        """The process killed (the object dropped, nothing closed) and the app opened again on
        the same folder, at the time the app's clock had."""
        if self.app is not None:
            self.now = self.app.now_iso()
            self.app = None
            gc.collect()
        self.app = doorstep.DoorstepApp.open_with_time(
            str(self.folder), self.key, self.lang, "pytest phone", self.now
        )
        self.screen = self.app.screen()
        return self.screen

    # --- events -------------------------------------------------------------------------------

    def send(self, event):
        """Sends an event, draws the new screen and carries out its effects (their answers are
        events too, sent in turn). Returns the screen drawn last."""
        update = self.app.handle(event)
        self.screen = update.screen
        self.carry_out(update.effects)
        return self.screen

    def tick(self, minutes=1):
        """Minutes pass on the app's clock; the shell sends its Tick."""
        self.app.advance_minutes(minutes)
        return self.send(Event.TICK())

    def back(self):
        return self.send(Event.BACK())

    def on(self, variant):
        """The record of the screen shown, which must be `variant` (e.g. "TODAY")."""
        body = self.screen.body
        assert getattr(body, f"is_{variant}")(), f"expected the {variant} screen, got {body}"
        return body[0]

    # --- effects ------------------------------------------------------------------------------

    def carry_out(self, effects):
        for effect in effects:
            if effect.is_TAKE_PHOTO():
                self.photos_taken += 1
                source = self.photo or field.camera_photo(
                    self.folder.parent / f"camera-{self.photos_taken}.png", self.photos_taken
                )
                shutil.copyfile(source, effect.path)
                self.send(Event.PHOTO_TAKEN(request=effect.request))
            elif effect.is_SCAN():
                if self.scans:
                    self.send(Event.SCANNED(request=effect.request, text=self.scans.pop(0)))
                else:
                    self.send(Event.EFFECT_FAILED(request=effect.request, failure=doorstep.EffectFailure.CANCELLED))
            elif effect.is_LOCATE():
                lat, lon, accuracy = self.position
                self.send(Event.LOCATED(request=effect.request, lat=lat, lon=lon, accuracy_m=accuracy))
            elif effect.is_UNLOCK():
                self.send(Event.UNLOCKED(request=effect.request))
            elif effect.is_SYNC_NOW():
                self.sync()
            elif effect.is_NOTIFY():
                self.notified.append(effect)
            elif effect.is_RUN_ENROLLMENT():
                # Enrolling talks to the server: a shell runs it on a worker.
                update = self.app.run_enrollment()
                self.screen = update.screen
                self.carry_out(update.effects)
            else:
                self.done.append(effect)

    def sync(self):
        """The sync a `SyncNow` asked for (or pull to sync), run to its end; the screens it
        reported meanwhile are kept in `during`."""
        during = []

        class Listener(doorstep.AppListener):
            def on_update(self, update):
                during.append(update.screen)

        update = self.app.run_sync(Listener())
        self.syncs += 1
        self.during = during
        self.screen = update.screen
        self.carry_out(update.effects)
        return self.screen

    # --- the technician's steps -----------------------------------------------------------------

    def enroll(self, server, code):
        """Types the server and the code on the Enroll screen and submits them."""
        self.on("ENROLL")
        self.send(Event.ENROLL(doorstep.EnrollEvent.SET_SERVER(text=server)))
        self.send(Event.ENROLL(doorstep.EnrollEvent.SET_CODE(text=code)))
        return self.send(Event.ENROLL(doorstep.EnrollEvent.SUBMIT()))

    # --- the Form and Signature screens ---------------------------------------------------------

    def form(self, event):
        """Sends a Form screen event."""
        return self.send(Event.FORM(event))

    def items(self):
        """The Form screen's items shown now, by their template id."""
        return {item.id: item for section in self.on("FORM").sections for item in section.items}

    def answer_everything(self, choose=None, texts=None):
        """Answers every shown item that has no answer yet, as a technician taps, until nothing
        new appears: checks pass, the first option (or `choose[item]`, a list for a multiple
        choice), a number's minimum, `texts[item]` or "正常" for a text, the day the picker opens
        on. Photos and signatures are left to the test."""
        choose = choose or {}
        texts = texts or {}
        for _ in range(6):
            acted = False
            for item in self.items().values():
                if item.value is not None or not item.editable:
                    continue
                kind, name = item.kind, item.id
                if kind.is_CHECK():
                    event = FormEvent.CHECK(item=name, mark=doorstep.FormCheckMark.PASS)
                elif kind.is_NUMBER():
                    event = FormEvent.TYPE(item=name, text=kind.min or "1")
                elif kind.is_TEXT():
                    event = FormEvent.TYPE(item=name, text=texts.get(name, "正常"))
                elif kind.is_SINGLE_CHOICE():
                    event = FormEvent.CHOOSE(item=name, choice=choose.get(name, kind.options[0].id))
                elif kind.is_MULTIPLE_CHOICE():
                    for choice in choose.get(name, [kind.options[0].id]):
                        self.form(FormEvent.TOGGLE(item=name, choice=choice))
                    acted = True
                    continue
                elif kind.is_DATE() and item.required:
                    i = kind.initial
                    event = FormEvent.PICK_DATE(item=name, year=i.year, month=i.month, day=i.day)
                elif kind.is_DATE_TIME():
                    event = FormEvent.PICK_DATE_TIME(item=name, at=kind.initial)
                elif kind.is_METER_READING():
                    event = FormEvent.TYPE(item=name, text="1234.567")
                else:
                    continue
                self.form(event)
                acted = True
            if not acted:
                return self.on("FORM")
        raise AssertionError("the form never stopped asking")

    def sign(self, item, name="张见证"):
        """Opens the Signature screen for `item`, draws one stroke (pen down to pen up), names
        the signer when the screen has no name for them, and accepts; back on the form."""
        self.form(FormEvent.SIGN(item=item))
        pad = self.on("SIGNATURE")
        assert pad.keep_screen_on and not pad.accept.enabled and pad.accept.disabled_reason
        points = [
            doorstep.InkPoint(x=20.0 + i * 8, y=60.0 + (i % 6) * 9, t_ms=i * 16, pressure=0.5)
            for i in range(30)
        ]
        self.send(Event.SIGNATURE(doorstep.SignatureEvent.STROKE(points=points)))
        if not self.on("SIGNATURE").signer_name:
            self.send(Event.SIGNATURE(doorstep.SignatureEvent.NAME(text=name)))
        pad = self.on("SIGNATURE")
        assert pad.strokes == 1 and pad.points == 30 and pad.preview_path, pad
        assert pad.accept.enabled, pad.accept
        self.send(Event.SIGNATURE(doorstep.SignatureEvent.ACCEPT()))
        return self.on("FORM")

    def sign_everything(self):
        """Signs every signature item the form asks for."""
        for item in list(self.items().values()):
            if item.kind.is_SIGNATURE() and item.required and item.value is None:
                self.sign(item.id)
        return self.on("FORM")

    # --- the Work order screen ------------------------------------------------------------------

    def tap(self, event):
        """Taps the Work order screen's button that sends `event` (it must be shown, enabled)."""
        order = self.on("WORK_ORDER")
        [button] = [b for b in order.actions if b.event == event]
        assert button.action.enabled, button.action
        return self.send(Event.ORDER(event))
