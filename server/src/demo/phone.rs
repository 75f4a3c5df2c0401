//! A demo phone: the app layer (`doorstep_core::app::App`) over a real encrypted store in the
//! demo's directory, on a clock the demo moves, with the shell's part played here: every
//! effect the app asks for is carried out as a phone would (a generated JPEG written where
//! the camera would write it, the position where the technician stands, the code on the meter,
//! the PIN prompt answered) and answered with its event. Syncs run only when a scene says so:
//! a phone in a basement does not sync.

use std::collections::VecDeque;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use doorstep_core::app::screens::enroll::EnrollEvent;
use doorstep_core::app::{
    App, AppConfig, Clock, Effect, Event, ManualClock, Screen, ScreenState, Update,
};
use doorstep_core::geo::GeoPoint;
use doorstep_core::store::StoreKey;
use doorstep_core::team::Technician;
use doorstep_core::text::Lang;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::place::{Journal, PhoneKey};
use super::server::Running;
use super::world::World;
use super::{DemoError, DemoResult, Role};

/// The phone's notification tray, in its folder.
const TRAY: &str = "notifications.json";

pub struct DemoPhone {
    pub role: Role,
    pub technician: Technician,
    pub clock: Arc<ManualClock>,
    pub app: App,
    /// Where the technician stands: the answer to `Locate`.
    position: Mutex<Option<GeoPoint>>,
    /// What the next `Scan`s read, oldest first (none: the scan is cancelled).
    scans: Mutex<VecDeque<String>>,
    /// The scene playing, for errors.
    scene: Mutex<&'static str>,
    /// Every notification the app showed: (title, body, link). Kept in the phone's folder
    /// (`notifications.json`) as the system's tray keeps them across the app's restarts: a
    /// demo run that continues finds the notifications of the run before.
    pub notifications: Mutex<Vec<(String, String, String)>>,
    tray: std::path::PathBuf,
    photos: Mutex<StdRng>,
    pub photos_taken: AtomicU64,
    /// The server's clock: a sync moves it up to this phone's time first.
    server_clock: Arc<ManualClock>,
}

/// Opens both phones, enrolling each with a one-time code the office issues (first run), or
/// reopening their stores (a run that continues).
pub fn enroll_both(
    data: &Path,
    world: &World,
    running: &Running,
    journal: &mut Journal,
) -> DemoResult<(DemoPhone, DemoPhone)> {
    let start = world.start_of_day();
    let inspector = DemoPhone::open(data, world, running, journal, Role::Inspector, start)?;
    let crew = DemoPhone::open(data, world, running, journal, Role::Crew, start)?;
    Ok((inspector, crew))
}

impl DemoPhone {
    fn open(
        data: &Path,
        world: &World,
        running: &Running,
        journal: &mut Journal,
        role: Role,
        start: DateTime<Utc>,
    ) -> DemoResult<Self> {
        let technician = match role {
            Role::Crew => world.repairer.clone(),
            _ => world.inspector.clone(),
        };
        let known = journal.phones.iter().find(|p| p.role == role).cloned();
        let key = match &known {
            Some(p) => StoreKey::from_hex(&p.key_hex).map_err(|_| {
                DemoError::Place(format!(
                    "{}: a phone's key is damaged",
                    super::place::JOURNAL
                ))
            })?,
            None => StoreKey::generate(),
        };
        let dir = Journal::phone_dir(data, role);
        let mut config = AppConfig::new(&dir);
        config.lang = Lang::Zh;
        config.device_model = match role {
            Role::Crew => "Redmi 12C (demo)".to_owned(),
            _ => "Honor X6 (demo)".to_owned(),
        };
        let clock = Arc::new(ManualClock::new(start));
        let app =
            App::open_with_clock(config, &key, clock.clone()).map_err(|source| DemoError::App {
                scene: "open".to_owned(),
                source,
            })?;
        let phone = Self {
            role,
            technician,
            clock,
            app,
            position: Mutex::new(None),
            scans: Mutex::new(VecDeque::new()),
            scene: Mutex::new("enroll"),
            notifications: Mutex::new(
                std::fs::read(dir.join(TRAY))
                    .ok()
                    .and_then(|bytes| serde_json::from_slice(&bytes).ok())
                    .unwrap_or_default(),
            ),
            tray: dir.join(TRAY),
            photos: Mutex::new(StdRng::seed_from_u64(world.seed ^ role as u64)),
            photos_taken: AtomicU64::new(0),
            server_clock: running.clock.clone(),
        };
        if known.is_none() {
            journal.phones.push(PhoneKey {
                role,
                key_hex: key.to_hex(),
            });
            journal.save(data)?;
        }
        let enrolled = phone
            .app
            .store()
            .lock()
            .map_err(|_| phone.broken())?
            .sync_state()
            .map_err(|e| phone.refused(e.into()))?
            .technician_id
            .is_some();
        if !enrolled {
            let code = running.enrollment_code(&phone.technician)?;
            phone.send(Event::Enroll(EnrollEvent::SetServer {
                text: running.url.clone(),
            }))?;
            phone.send(Event::Enroll(EnrollEvent::SetCode { text: code }))?;
            let update = phone.send(Event::Enroll(EnrollEvent::Submit))?;
            if !matches!(update.screen.body, Screen::Today(_)) {
                return Err(phone.unexpected("Today after enrolling", &update.screen));
            }
        } else {
            running.point_at_this_server(&phone)?;
        }
        Ok(phone)
    }

    /// Moves the phone's clock forward to `at` (never back).
    pub fn move_clock_to(&self, at: DateTime<Utc>) {
        if self.clock.now() < at {
            self.clock.set(at);
        }
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    pub fn set_scene(&self, scene: &'static str) {
        *self.scene.lock().unwrap_or_else(|p| p.into_inner()) = scene;
    }

    /// The technician stands here: the answer to the next `Locate`s.
    pub fn stand_at(&self, at: Option<GeoPoint>) {
        *self.position.lock().unwrap_or_else(|p| p.into_inner()) = at;
    }

    /// The next `Scan` reads `text`.
    pub fn will_scan(&self, text: &str) {
        self.scans
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push_back(text.to_owned());
    }

    /// The screen now.
    pub fn screen(&self) -> DemoResult<ScreenState> {
        self.app.screen().map_err(|e| self.refused(e))
    }

    /// Sends one event as the user's tap, then carries out every effect the app asks for and
    /// answers it, as the shell would; the last screen with the effects nobody answers.
    pub fn send(&self, event: Event) -> DemoResult<Update> {
        let update = self.app.handle(event).map_err(|e| self.refused(e))?;
        self.carry_out(update)
    }

    /// One sync, as the shell runs it on `SyncNow`: the screen after it, its notifications
    /// kept in [`Self::notifications`].
    pub fn sync(&self) -> DemoResult<Update> {
        // The server's clock is at least the phone's: what the phone did is not in the
        // server's future.
        if self.server_clock.now() < self.now() {
            self.server_clock.set(self.now());
        }
        let update = self.app.run_sync(&|_| {}).map_err(|e| self.refused(e))?;
        self.carry_out(update)
    }

    fn carry_out(&self, mut update: Update) -> DemoResult<Update> {
        loop {
            let shown: Vec<_> = update
                .effects
                .iter()
                .filter_map(|effect| match effect {
                    Effect::Notify {
                        title, body, link, ..
                    } => Some((title.clone(), body.clone(), link.clone())),
                    _ => None,
                })
                .collect();
            if !shown.is_empty() {
                let mut tray = self.notifications.lock().unwrap_or_else(|p| p.into_inner());
                tray.extend(shown);
                let json = serde_json::to_vec(&*tray).map_err(std::io::Error::other)?;
                std::fs::write(&self.tray, json)?;
            }
            let Some(next) = update.effects.iter().find_map(|e| self.answer(e)) else {
                return Ok(update);
            };
            update = next?;
        }
    }

    /// Carries out one effect as the shell would, and gives the app's answer to it; none for
    /// an effect that has no answer. A sync runs only when the scene says so (the technician
    /// may be in a basement).
    fn answer(&self, effect: &Effect) -> Option<DemoResult<Update>> {
        use doorstep_core::app::EffectFailure;
        let event = match effect {
            Effect::TakePhoto {
                request,
                path,
                prompt,
            } => {
                if let Err(e) = self
                    .photo(prompt)
                    .and_then(|jpeg| Ok(std::fs::write(path, jpeg)?))
                {
                    return Some(Err(e));
                }
                self.photos_taken.fetch_add(1, Ordering::Relaxed);
                Event::PhotoTaken { request: *request }
            }
            Effect::Locate { request, .. } => {
                match *self.position.lock().unwrap_or_else(|p| p.into_inner()) {
                    Some(p) => Event::Located {
                        request: *request,
                        lat: p.lat(),
                        lon: p.lon(),
                        accuracy_m: 8.0,
                    },
                    None => Event::EffectFailed {
                        request: *request,
                        failure: EffectFailure::Unavailable,
                    },
                }
            }
            Effect::Scan { request, .. } => {
                match self
                    .scans
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .pop_front()
                {
                    Some(text) => Event::Scanned {
                        request: *request,
                        text,
                    },
                    None => Event::EffectFailed {
                        request: *request,
                        failure: EffectFailure::Cancelled,
                    },
                }
            }
            Effect::Unlock { request, .. } => Event::Unlocked { request: *request },
            Effect::RunEnrollment => {
                return Some(self.app.run_enrollment().map_err(|e| self.refused(e)));
            }
            _ => return None,
        };
        Some(self.app.handle(event).map_err(|e| self.refused(e)))
    }

    /// A camera's photo of what `prompt` asks for: a real JPEG of a phone camera's size, each
    /// one different (a scene of its own: the same photo twice would be one photo, by its hash).
    fn photo(&self, prompt: &str) -> DemoResult<Vec<u8>> {
        let mut rng = self.photos.lock().unwrap_or_else(|p| p.into_inner());
        let (w, h) = if rng.random_bool(0.5) {
            (1600, 1200)
        } else {
            (1200, 1600)
        };
        let _ = prompt;
        let mut image = doorstep_core::media::samples::photo_like(w, h);
        // A few objects of their own colour and place: a pipe, a valve, a label.
        for _ in 0..rng.random_range(3..7) {
            let (rw, rh) = (rng.random_range(40..w / 3), rng.random_range(40..h / 3));
            let (x0, y0) = (rng.random_range(0..w - rw), rng.random_range(0..h - rh));
            let colour: [u8; 3] = [rng.random(), rng.random(), rng.random()];
            for y in y0..y0 + rh {
                let row = (y * w) as usize * 3;
                for x in x0..x0 + rw {
                    let i = row + x as usize * 3;
                    for (c, value) in colour.iter().enumerate() {
                        let old = u16::from(image.pixels[i + c]);
                        image.pixels[i + c] = ((old + 3 * u16::from(*value)) / 4) as u8;
                    }
                }
            }
        }
        doorstep_core::media::decode::encode_jpeg(&image, 88)
            .map_err(|e| self.script(format!("the camera could not encode its photo: {e}")))
    }

    fn scene_name(&self) -> String {
        self.scene
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .to_string()
    }

    pub fn refused(&self, source: doorstep_core::app::AppError) -> DemoError {
        DemoError::App {
            scene: self.scene_name(),
            source,
        }
    }

    pub fn script(&self, what: impl Into<String>) -> DemoError {
        DemoError::Script {
            scene: self.scene_name(),
            what: what.into(),
        }
    }

    /// The app showed another screen than the scene expected.
    pub fn unexpected(&self, expected: &str, got: &ScreenState) -> DemoError {
        self.script(format!(
            "expected {expected}, the app shows {}",
            screen_name(&got.body)
        ))
    }

    fn broken(&self) -> DemoError {
        self.script("the phone's store lock was poisoned")
    }
}

/// A screen's name, for errors (never its content: it holds people's names).
pub fn screen_name(screen: &Screen) -> String {
    let debug = format!("{screen:?}");
    debug
        .split(['(', ' ', '{'])
        .next()
        .unwrap_or("a screen")
        .to_owned()
}
