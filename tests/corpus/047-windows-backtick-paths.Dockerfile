# escape=`
FROM mcr.microsoft.com/windows/nanoserver:ltsc2022
COPY app C:\app\
WORKDIR C:\app
RUN powershell -Command `
    $ErrorActionPreference = 'Stop'; `
    Write-Host 'installing'
ENV PATH="C:\app;C:\Windows\system32"
CMD ["C:\\app\\app.exe", "--serve"]
