; Windows installer of Arobase (Inno Setup 6):  iscc /DAppVersion=0.1.0 /DSourceDir=..\..\dist\Arobase-0.1.0 packaging\windows\arobase.iss
; Per-user install, no administrator rights (an old town-hall PC whose secretary is not an admin),
; French wizard, a Start-menu entry, and an uninstaller that removes the program only: the dossiers
; (%APPDATA%\Arobase), the logs and the backups are the commune's data and stay where they are.

#ifndef AppVersion
  #define AppVersion "0.1.0"
#endif
#ifndef SourceDir
  #define SourceDir "..\..\dist\Arobase-" + AppVersion
#endif

[Setup]
AppId={{6F1B6B52-3C1E-4C55-9E0B-2A8D3F0B7A19}
AppName=Arobase
AppVersion={#AppVersion}
AppVerName=Arobase {#AppVersion}
AppPublisher=Équipe Arobase
AppPublisherURL=https://www.villes-internet.net/
DefaultDirName={localappdata}\Programs\Arobase
DefaultGroupName=Arobase
DisableProgramGroupPage=yes
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
OutputDir=..\..\dist
OutputBaseFilename=Arobase-{#AppVersion}-installation
Compression=lzma2
SolidCompression=yes
WizardStyle=modern
; The bundle is 64-bit and Qt 6 runs on Windows 10 1809 or later only: on an older or 32-bit Windows
; the wizard says so in French instead of installing a program that cannot start.
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
MinVersion=10.0.17763
UninstallDisplayName=Arobase
UninstallDisplayIcon={app}\Arobase.exe
SetupIconFile=..\..\resources\icons\arobase.ico
ShowLanguageDialog=no

[Languages]
Name: "fr"; MessagesFile: "compiler:Languages\French.isl"

[Tasks]
Name: "desktopicon"; Description: "Créer une icône sur le Bureau"; GroupDescription: "Raccourcis :"; Flags: unchecked

[Files]
; The one-folder bundle built by PyInstaller (packaging/arobase.spec).
Source: "{#SourceDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{userprograms}\Arobase"; Filename: "{app}\Arobase.exe"; Comment: "Préparer le dossier du label Villes Internet"
Name: "{userdesktop}\Arobase"; Filename: "{app}\Arobase.exe"; Tasks: desktopicon

[Run]
Filename: "{app}\Arobase.exe"; Description: "Lancer Arobase"; Flags: nowait postinstall skipifsilent

[UninstallDelete]
; Only what the program itself put in its folder: never %APPDATA%\Arobase (dossiers, backups),
; nor %LOCALAPPDATA%\Arobase (logs, cache).
Type: filesandordirs; Name: "{app}\_internal"
