<ol id="steps" class="steps">
% for step in steps:
% facts = step.facts
<li id="step-{{step.key}}" class="step card" data-done="{{'1' if step.done else '0'}}">
  <p><span class="state {{'done' if step.done else 'todo'}}">{{_("Done") if step.done else _("To do")}}</span>
  % if step.key == 'modems':
  <strong>{{_("Modems found")}}</strong></p>
  % if not facts['modems']:
  <p>{{_("No modem is configured: add a [[modem]] table per modem to callbox.toml (README: Supported modems), check its port with: callbox probe PORT, then reload the box.")}}</p>
  % else:
  <p>{{_("What the box reads of each modem, as callbox probe does:")}}</p>
  <ul class="modems">
  % for modem in facts['modems']:
    <li data-name="{{modem['name']}}"><strong>{{modem['name']}}</strong> {{modem['port']}}: {{said(modem['state'])}}{{(' (' + said(modem['reason']) + ')') if modem['reason'] else ''}}
    % if modem.get('model'):
    <br><small>{{_("model {model}, firmware {firmware}, IMEI {imei}, voice: {voice}").format(model=modem['model'] or '?', firmware=modem['firmware'] or '?', imei=modem['imei'] or '?', voice=said(modem['voice']))}}</small>
    % end
    % if modem.get('sim'):
    <br><small class="network">{{_("SIM {sim}, operator {operator}, signal {signal}, {registration}; roles {roles}").format(sim=said(modem['sim']), operator=modem['operator'] or '-', signal=modem['signal'] or '-', registration=said(modem['registration']), roles=modem['roles'])}}</small>
    % end
    </li>
  % end
  </ul>
  % end
  <p><a href="{{step.link}}">{{_("Modems page")}}</a></p>
  % elif step.key == 'rates':
  <strong>{{_("Import rates")}}</strong></p>
  % if step.done:
  <p>{{ngettext("{count} rate stored.", "{count} rates stored.", facts['count']).format(count=facts['count'])}}</p>
  % else:
  <p>{{_("The box refuses a call it has no price for. Download the sample, edit its prices, and upload it on the Rates page.")}}</p>
  % end
  <p><a href="/admin/start/rates-sample.csv" id="sample-rates" download>{{_("Sample rates (CSV)")}}</a> · <a href="{{step.link}}">{{_("Rates page")}}</a></p>
  % elif step.key == 'account':
  <strong>{{_("Create the first account")}}</strong></p>
  % if step.done:
  <p>{{ngettext("{count} account, the first {name}.", "{count} accounts, the first {name}.", facts['count']).format(count=facts['count'], name=facts['first'])}}</p>
  % else:
  <p>{{_("An account holds the money its calls cost, the PIN typed on the phone, and its holder's web login.")}}</p>
  % end
  <p><a href="{{step.link}}">{{_("Accounts page")}}</a></p>
  % elif step.key == 'callerid':
  <strong>{{_("Authorize a caller ID")}}</strong></p>
  % if step.done:
  <p>{{ngettext("{count} caller ID authorized.", "{count} caller IDs authorized.", facts['count']).format(count=facts['count'])}}</p>
  % else:
  <p>{{_("The box knows an authorized phone by its number: no PIN is asked when it calls. Add the holder's mobile number on the account's page.")}}</p>
  % end
  <p><a href="{{step.link}}">{{_("The account's page")}}</a></p>
  % elif step.key == 'callback':
  <strong>{{_("Place a test callback")}}</strong></p>
  % if step.done:
  <p>{{_("A call the box placed was answered: {number} at {at}.").format(number=facts['last']['number'], at=when(facts['last']['at']))}}</p>
  % else:
  <p>{{_("From the authorized phone, call the number of a SIM with the trigger role ({modems}): the box rejects the call, calls back, says the balance and asks for a number. Or run a voice test on the Modems page: a modem calls your phone and measures the sound.").format(modems=facts['triggers'] or '-')}}</p>
  % end
  <p><a href="{{step.link}}">{{_("Modems page (voice test)")}}</a></p>
  % end
</li>
% end
</ol>
