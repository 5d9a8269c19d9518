@echo off
rem The `tec` command line of the installed app, next to the exe. The fuses forbid ELECTRON_RUN_AS_NODE, so the
rem app binary itself runs the CLI when given --cli (src-main/electron/cli-mode.ts); `--` ends Chromium's switch
rem parsing. A batch file waits for the app to exit, so its output and exit code reach this console.
"%~dp0Trusted Endpoints Console.exe" --cli -- %*
exit /b %ERRORLEVEL%
