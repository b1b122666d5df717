.class public Lcom/tencent/bugly/crashreport/CrashReport;
.super Ljava/lang/Object;
.source "CrashReport.java"

# Stand-in for the Bugly entry point (Tencent's real package): present, reads nothing. Not in
# the policy either.

.method public static initCrashReport(Landroid/content/Context;)V
    .registers 1
    return-void
.end method
