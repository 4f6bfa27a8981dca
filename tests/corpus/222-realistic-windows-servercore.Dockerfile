# escape=`

FROM mcr.microsoft.com/windows/servercore:ltsc2022

SHELL ["powershell", "-Command", "$ErrorActionPreference = 'Stop'; $ProgressPreference = 'SilentlyContinue';"]

ENV PYTHON_VERSION 3.12.3

RUN $url = ('https://www.python.org/ftp/python/{0}/python-{1}-amd64.exe' -f ($env:PYTHON_VERSION -replace '[a-z]+[0-9]*$', ''), $env:PYTHON_VERSION); `
	Write-Host ('Downloading {0} ...' -f $url); `
	Invoke-WebRequest -Uri $url -OutFile 'python.exe'; `
	`
	Write-Host 'Installing ...'; `
	$exitCode = (Start-Process python.exe -Wait -NoNewWindow -PassThru `
		-ArgumentList @( `
			'/quiet', `
			'InstallAllUsers=1', `
			'TargetDir=C:\Python' `
		) `
	).ExitCode; `
	if ($exitCode -ne 0) { exit $exitCode }; `
	Remove-Item python.exe -Force

WORKDIR C:\app
COPY . C:\app\
CMD ["python"]
