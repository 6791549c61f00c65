; Inno Setup 6 script for Agent700 Desktop on Windows (x64).
;
; Build, from the repository root, after the frozen build (packaging\build-frozen
; under Git Bash puts it in dist\a7desktop with a7desktop.exe and a7desktopw.exe):
;
;   iscc installer\windows\a7desktop.iss
;   -> dist\a7desktop-<version>-windows-x64-setup.exe
;
; The version comes from a7desktop.exe's version resource, which the spec
; stamps from pyproject.toml; /DAppVersion=1.2.3 overrides it.
;
; Who it installs for
;   Per user by default: %LOCALAPPDATA%\Programs\Agent700 Desktop, no
;   administrator rights, Start menu entry for that user only. The wizard
;   offers "install for all users" (administrator rights, Program Files, the
;   Start menu of every user); on the command line: /ALLUSERS or /CURRENTUSER.
;
; Silent install for fleets (Intune, SCCM, GPO start-up scripts, ...)
;   a7desktop-<version>-windows-x64-setup.exe /VERYSILENT /SUPPRESSMSGBOXES /NORESTART /ALLUSERS
;   Optional:
;     /TASKS="addtopath,startup"   put a7desktop on the PATH and start it at login
;                                  (/TASKS replaces the default selection:
;                                  list every task wanted; "" for none)
;     /DIR="D:\Apps\Agent700"      another install folder
;     /LOG="C:\Windows\Temp\a7desktop-setup.log"
;   Exit code 0 means installed; see Inno Setup's "Setup Exit Codes" for the rest.
;
; Silent uninstall
;   "<install folder>\unins000.exe" /VERYSILENT /SUPPRESSMSGBOXES /NORESTART
;   The command is also in the registry, as QuietUninstallString under
;   HKLM (all users) or HKCU (per user)
;   \Software\Microsoft\Windows\CurrentVersion\Uninstall\{D34C86BD-3790-4B54-810D-5C58E39026C8}_is1
;   Uninstalling removes the program, its Start menu entry, its PATH entry and
;   its start-at-login value; each user's settings and activity log
;   (%LOCALAPPDATA%\a7desktop) and the secrets in Windows Credential Manager stay.
;
; Policy for managed machines: %PROGRAMDATA%\a7desktop\policy.json (see README).

#define AppName "Agent700 Desktop"
#define AppPublisher "Agent700"
#define AppURL "https://agent700.ai"
#define RepoRoot AddBackslash(SourcePath) + "..\.."
#define Bundle RepoRoot + "\dist\a7desktop"
#ifndef AppVersion
  #define AppVersion GetStringFileInfo(Bundle + "\a7desktop.exe", "ProductVersion")
#endif
#if AppVersion == ""
  #error a7desktop.exe has no version: run packaging/build-frozen first
#endif

[Setup]
; The AppId ties upgrades and uninstalls together: never change it.
AppId={{D34C86BD-3790-4B54-810D-5C58E39026C8}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher={#AppPublisher}
AppPublisherURL={#AppURL}
AppSupportURL={#AppURL}
VersionInfoVersion={#AppVersion}
DefaultDirName={autopf}\{#AppName}
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=commandline dialog
UsePreviousPrivileges=yes
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
MinVersion=10.0
OutputDir={#RepoRoot}\dist
OutputBaseFilename=a7desktop-{#AppVersion}-windows-x64-setup
SetupIconFile={#RepoRoot}\build\icons\a7desktop.ico
UninstallDisplayIcon={app}\a7desktopw.exe
UninstallDisplayName={#AppName}
WizardStyle=modern
Compression=lzma2/max
SolidCompression=yes
ChangesEnvironment=yes
; A running window (in the tray) holds its files: close it first.
CloseApplications=yes
RestartApplications=no

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"

[Tasks]
Name: "addtopath"; Description: "Add a7desktop to the PATH, for the command line (a7desktop token)"
Name: "startup"; Description: "Start {#AppName} at login, in the tray"; Flags: unchecked

[Files]
Source: "{#Bundle}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\a7desktopw.exe"; \
  AppUserModelID: "ai.agent700.a7desktop"; Comment: "Sign in to Agent700 and hand credentials to tools"

[Registry]
; HKA is HKLM for an all-users install and HKCU for a per-user one. The value
; name is the one the program's own "start at login" switch uses, so the two
; never add a second entry.
Root: HKA; Subkey: "Software\Microsoft\Windows\CurrentVersion\Run"; \
  ValueType: string; ValueName: "{#AppName}"; \
  ValueData: """{app}\a7desktopw.exe"" --minimized"; \
  Flags: uninsdeletevalue; Tasks: startup

[Run]
Filename: "{app}\a7desktopw.exe"; Description: "Open {#AppName}"; \
  Flags: nowait postinstall skipifsilent

[Code]
const
  UserEnvironment = 'Environment';
  MachineEnvironment = 'SYSTEM\CurrentControlSet\Control\Session Manager\Environment';
  RunKey = 'Software\Microsoft\Windows\CurrentVersion\Run';

function EnvironmentRoot: Integer;
begin
  if IsAdminInstallMode then
    Result := HKEY_LOCAL_MACHINE
  else
    Result := HKEY_CURRENT_USER;
end;

function EnvironmentKey: String;
begin
  if IsAdminInstallMode then
    Result := MachineEnvironment
  else
    Result := UserEnvironment;
end;

{ Paths is a ;-separated list; compare whole entries, ignoring case. }
function PathListHas(const Paths, Folder: String): Boolean;
begin
  Result := Pos(';' + Uppercase(Folder) + ';', ';' + Uppercase(Paths) + ';') > 0;
end;

procedure AddToPath(const Folder: String);
var
  Paths: String;
begin
  if not RegQueryStringValue(EnvironmentRoot, EnvironmentKey, 'Path', Paths) then
    Paths := '';
  if PathListHas(Paths, Folder) then
    exit;
  if (Paths <> '') and (Copy(Paths, Length(Paths), 1) <> ';') then
    Paths := Paths + ';';
  RegWriteExpandStringValue(EnvironmentRoot, EnvironmentKey, 'Path', Paths + Folder);
end;

procedure RemoveFromPath(const Folder: String);
var
  Paths: String;
  At: Integer;
begin
  if not RegQueryStringValue(EnvironmentRoot, EnvironmentKey, 'Path', Paths) then
    exit;
  Paths := ';' + Paths + ';';
  At := Pos(';' + Uppercase(Folder) + ';', Uppercase(Paths));
  if At = 0 then
    exit;
  Delete(Paths, At, Length(Folder) + 1);
  Paths := Copy(Paths, 2, Length(Paths) - 2);
  RegWriteExpandStringValue(EnvironmentRoot, EnvironmentKey, 'Path', Paths);
end;

procedure CurStepChanged(CurStep: TSetupStep);
begin
  if (CurStep = ssPostInstall) and WizardIsTaskSelected('addtopath') then
    AddToPath(ExpandConstant('{app}'));
end;

procedure CurUninstallStepChanged(CurUninstallStep: TUninstallStep);
begin
  if CurUninstallStep = usPostUninstall then
  begin
    RemoveFromPath(ExpandConstant('{app}'));
    { The program's own start-at-login switch writes this value for the user
      who turned it on; it would start a program that is no longer there. }
    RegDeleteValue(HKEY_CURRENT_USER, RunKey, '{#AppName}');
  end;
end;
