// android/ui as an Android library: the same Compose sources that ui/pom.xml builds and tests on
// the JVM (Compose Multiplatform desktop), here against Jetpack Compose, with the generated
// bindings (scripts/android-jni, then scripts/bindings) compiled in.
plugins {
    alias(libs.plugins.android.library)
    alias(libs.plugins.kotlin.android)
    alias(libs.plugins.kotlin.compose)
}

android {
    namespace = "app.doorstep.ui"
    compileSdk = 35

    defaultConfig {
        minSdk = 24
    }

    compileOptions {
        sourceCompatibility = JavaVersion.VERSION_17
        targetCompatibility = JavaVersion.VERSION_17
        // The bindings give times as java.time.Instant (API 26); minSdk 24 keeps Android 7
        // phones (android/README.md). The app module desugars; the library says it relies on it.
        isCoreLibraryDesugaringEnabled = true
    }

    buildFeatures {
        compose = true
    }

    sourceSets {
        getByName("main") {
            // src/jvm is the JVM build's own (Skia image decoding): not compiled here.
            kotlin.setSrcDirs(listOf("src/main/kotlin", "../../target/bindings/kotlin"))
            java.setSrcDirs(emptyList<String>())
        }
        getByName("test") {
            // src/test holds the JVM desktop tests (Compose's desktop rule, Skia): Maven runs them.
            kotlin.setSrcDirs(emptyList<String>())
            java.setSrcDirs(emptyList<String>())
        }
    }
}

kotlin {
    compilerOptions {
        jvmTarget.set(org.jetbrains.kotlin.gradle.dsl.JvmTarget.JVM_17)
        // The generated bindings have warnings of their own.
        suppressWarnings.set(true)
    }
}

dependencies {
    api(platform(libs.compose.bom))
    api(libs.compose.ui)
    api(libs.compose.foundation)
    api(libs.compose.material3)
    // The screens' icons (Icons.Filled.*); Material 3 1.3 brings it too, later versions do not.
    api(libs.compose.material.icons.core)
    api(libs.compose.runtime)
    // The bindings load the core's library through JNA: the AAR carries JNA's own native part.
    api(libs.jna) { artifact { type = "aar" } }
    api(libs.zxing.core)
    coreLibraryDesugaring(libs.desugar.jdk.libs)
}
