FROM mcr.microsoft.com/windows/servercore:ltsc2022
WORKDIR C:\\Windows
WORKDIR C:\Windows\Temp
RUN dir
