.class Landroidx/appcompat/app/AppCompatDelegateImpl;
.super Ljava/lang/Object;
.source "AppCompatDelegateImpl.java"

# Stand-in (written for this sample): library code that uses TwilightManager itself.

.method static applyDayNight()V
    .registers 1
    new-instance v0, Landroidx/appcompat/app/TwilightManager;
    invoke-direct {v0}, Landroidx/appcompat/app/TwilightManager;-><init>()V
    invoke-virtual {v0}, Landroidx/appcompat/app/TwilightManager;->isNight()Z
    return-void
.end method
