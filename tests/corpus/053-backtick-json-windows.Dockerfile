# escape=`
FROM mcr.microsoft.com/windows/servercore:ltsc2022
SHELL ["powershell", "-Command", "$ErrorActionPreference = 'Stop';"]
RUN Get-ChildItem C:\ 
CMD ["cmd", "/S", "/C", "C:\\start.bat"]
