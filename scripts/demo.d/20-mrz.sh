# demo stage: the MRZ reader's text, checked field by field
step "3. MRZ: the specimen passport of ICAO Doc 9303, then the same with one character misread"
run egate mrz 'P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<' 'L898902C36UTO7408122F1204159ZE184226B<<<<<10'
rc=0
run egate mrz 'P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<' 'L898902C36UTO7408123F1204159ZE184226B<<<<<10' >/dev/null || rc=$?
echo "exit status $rc: the misread character is caught by the birth-date and composite check digits"
