# escape=`
FROM mcr.microsoft.com/windows/nanoserver:ltsc2022
RUN cmd /S /C `
    echo hello
