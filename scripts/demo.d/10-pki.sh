# demo stage: the integrator provisions the deployment PKI
# (sourced by scripts/demo: $demo, $egate, step, run)
step "2. PKI: a deployment CA, the host certificate, two kiosks and an officer"
pki="$demo/pki"
if [ ! -f "$pki/ca/ca.key" ]; then
  run egate pki init --dir "$pki/ca" --name "Demo Border Control CA"
  run egate pki issue --dir "$pki/ca" --role host --cn egate-host --key-out "$pki/host.key" --out "$pki/host.crt"
  for k in K01 K02; do
    # on the kiosk: key and request; on the CA: signature
    run egate pki key --out "$pki/$k.key"
    run egate pki csr --key "$pki/$k.key" --cn "$k" --role kiosk --out "$pki/$k.csr"
    run egate pki sign --dir "$pki/ca" --csr "$pki/$k.csr" --role kiosk --out "$pki/$k.crt"
  done
  run egate pki issue --dir "$pki/ca" --role officer --cn officer.kim --key-out "$pki/officer.key" --out "$pki/officer.crt"
else
  echo "(PKI already in $pki)"
fi
echo "independent check with OpenSSL:"
openssl verify -CAfile "$pki/ca/ca.crt" -crl_check -CRLfile "$pki/ca/ca.crl" \
  "$pki/host.crt" "$pki/K01.crt" "$pki/K02.crt" "$pki/officer.crt"
