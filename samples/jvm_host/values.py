"""The fixed fake personal values the host app returns (kept in step with the Java stubs).
Tests assert against these; none is real data. The IMEI is Luhn-valid like a real one."""
IMEI = "861234567890127"
IMSI = "460001234567890"
ANDROID_ID = "a3f9c2e17b5d4086"
MAC = "3c:5a:b4:01:02:03"
SERIAL = "PHSERIAL0042"
LATITUDE = "39.9087"
LONGITUDE = "116.3975"
INSTALLED_APPS = ("com.tencent.mm", "com.eg.android.AlipayGphone", "com.sina.weibo")
PACKAGE = "com.example.privhost"
MAIN_CLASS = "com.example.privhost.HostMain"
SDK_HOST = "alog.umeng.com"
APP_HOST = "api.privhost.example"
# A plain program (no handshake) whose main class's static initialiser reads the IMEI.
EARLY_MAIN_CLASS = "com.example.early.EarlyMain"
