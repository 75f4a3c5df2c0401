// The Android app (docs/mobile.md). Written for a developer's workstation with the Android SDK;
// the repository's own machines have no SDK and test android/ui with Maven instead (pom.xml).
pluginManagement {
    repositories {
        google()
        mavenCentral()
        gradlePluginPortal()
    }
}

dependencyResolutionManagement {
    repositoriesMode.set(RepositoriesMode.FAIL_ON_PROJECT_REPOS)
    repositories {
        google()
        mavenCentral()
    }
}

rootProject.name = "doorstep-android"

// :ui: the screens and the shell (Compose), also built and tested on the JVM by ui/pom.xml.
// :app: the application: the Activity, the platform's effects, the keystore, WorkManager.
include(":ui", ":app")
