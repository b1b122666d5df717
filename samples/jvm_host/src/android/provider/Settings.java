package android.provider;

import android.content.ContentResolver;

public final class Settings {
    public static final class Secure {
        public static final String ANDROID_ID = "android_id";

        public static String getString(ContentResolver resolver, String name) {
            if (ANDROID_ID.equals(name)) {
                return "a3f9c2e17b5d4086";
            }
            if ("default_input_method".equals(name)) {
                return "com.example.ime/.Ime";
            }
            return null;
        }
    }

    public static final class System {
        public static String getString(ContentResolver resolver, String name) {
            return null;
        }
    }
}
