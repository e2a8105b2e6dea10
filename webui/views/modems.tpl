% rebase('base.tpl', title=_('Modems'))
<h1>{{_("Modems")}}</h1>
% if notice:
<p class="{{'notice' if status_ok else 'error'}}" id="notice">{{said(notice)}}</p>
% end
% if confirm:
<form method="post" action="/admin/modems/{{confirm}}/reset" class="card" id="confirm-reset">
  <input type="hidden" name="csrf_token" value="{{csrf}}">
  <input type="hidden" name="confirm" value="1">
  <button type="submit">{{_("Reset {modem} anyway").format(modem=confirm)}}</button> <a href="/admin/modems">{{_("Cancel")}}</a>
</form>
% end
<p class="hint">{{_("Refreshed every 2 seconds. Minutes: talk time today since midnight. SIM use: the SIM's calls and SMS against its limits ([[sim]] tables; the day starts at its reset hour), in red when it is at a limit and lent to no new work of that kind. SMS: what the last read of the SIM left on it, and failures since. Credit: the last amount the network told for a SIM with a [[sim]] table, and its last keep-alive SMS. Last recovery: the last step the box took by itself to bring the modem back (reset, reopen, USB power cycle, or gave up), when and why.")}}</p>
<div class="scroll">
% import json
% words = {"Reset": _("Reset"), "Check credit": _("Check credit"), "not checked yet": _("not checked yet"), "low": _("low"), "last check: {error}": _("last check: {error}"), "not read yet": _("not read yet"), "TROUBLE:": _("TROUBLE:"), "none": _("none"), "yes": _("yes"), "no": _("no"), "AT LIMIT: {limits}": _("AT LIMIT: {limits}")}
<table id="modems" data-csrf="{{csrf}}" data-words="{{json.dumps(words)}}" data-texts="{{said_table}}">
<thead><tr><th>{{_("Name")}}</th><th>{{_("State")}}</th><th class="more">{{_("Vendor / model")}}</th><th class="more">{{_("Operator")}}</th><th>{{_("Signal")}}</th>
<th class="more">{{_("Registration")}}</th><th class="more">{{_("SIM")}}</th><th class="more">{{_("ICCID")}}</th><th class="roles">{{_("Roles")}}</th><th class="more">{{_("Group")}}</th><th>{{_("In call")}}</th>
<th class="minutes">{{_("Minutes today")}}</th><th>{{_("SIM use")}}</th><th class="more">{{_("SMS")}}</th><th>{{_("Credit")}}</th><th class="more">{{_("Last recovery")}}</th><th><span class="visually-hidden">{{_("Actions")}}</span></th></tr></thead>
<tbody>
% for modem in modems:
<tr data-name="{{modem['name']}}">
  <td>{{modem['name']}}</td>
  <td>{{said(modem['state'])}} {{said(modem['reason'])}}</td>
  <td>{{modem['vendor']}}</td>
  <td>{{modem['operator']}}</td>
  <td class="signal">{{'▮' * modem['bars'] + '▯' * (5 - modem['bars'])}} {{'' if modem['dbm'] is None else str(modem['dbm']) + ' dBm'}}</td>
  <td>{{said(modem['registration'])}}</td>
  <td>{{said(modem['sim_state'])}}</td>
  <td>{{modem['iccid']}}</td>
  <td>{{', '.join(modem['roles'])}}</td>
  <td>{{modem['group']}}</td>
  <td>{{_('yes') if modem['in_call'] else _('no')}}</td>
  <td class="minutes">{{modem['minutes_today']}}</td>
  % use = modem['sim_usage']
  <td class="sim-use{{' trouble' if use and use['at_limit'] else ''}}">{{said(use['summary']) if use else '-'}}{{' (' + _('AT LIMIT: {limits}').format(limits=', '.join(said(limit) for limit in use['at_limit'])) + ')' if use and use['at_limit'] else ''}}</td>
  % sms = modem['sms']
  % if sms is None:
  <td class="sms">{{_("not read yet")}}</td>
  % else:
  <td class="sms{{'' if sms['ok'] else ' trouble'}}">{{'' if sms['ok'] else _('TROUBLE:') + ' '}}{{said(sms['summary'])}}<br><small>{{said(sms['detail'])}}</small></td>
  % end
  % credit = modem['credit']
  <td class="credit">
  % if credit is not None:
    % if credit['checkable']:
    <span class="{{'trouble' if credit['low'] else ''}}">{{credit['amount'] or _('not checked yet')}}{{(' (' + _('low') + ')') if credit['low'] else ''}}</span>
    % if credit['at']:
    <br><small>{{credit['at']}}</small>
    % end
    % if credit['error']:
    <br><small class="trouble">{{_('last check: {error}').format(error=credit['error'])}}</small>
    % end
    <form method="post" action="/admin/modems/{{modem['name']}}/balance" class="inline">
      <input type="hidden" name="csrf_token" value="{{csrf}}">
      <button type="submit">{{_("Check credit")}}</button>
    </form>
    % end
    % if credit['keepalive']:
    <br><small>{{said(credit['keepalive'])}}</small>
    % end
  % end
  </td>
  % recovery = modem['recovery']
  % if recovery is None:
  <td class="recovery">{{_("none")}}</td>
  % else:
  <td class="recovery{{' trouble' if recovery['gave_up'] else ''}}">{{recovery['at']}}: {{said(recovery['text'])}}<br><small>{{said(recovery['counts'])}}</small></td>
  % end
  <td>
    <form method="post" action="/admin/modems/{{modem['name']}}/reset" class="inline">
      <input type="hidden" name="csrf_token" value="{{csrf}}">
      <button type="submit" class="reset">{{_("Reset")}}</button>
    </form>
  </td>
</tr>
% end
</tbody>
</table>
</div>
<h2 id="voice-test">{{_("Voice test")}}</h2>
<p class="hint">{{!_("Calls the number from the modem, plays a measured test signal, then asks whoever answers to say a sentence and press 1 2 3 (about 20 seconds; the same as {command}).").format(command="<code>callbox voicetest MODEM NUMBER</code>")}}
{{_("Figures: the round-trip delay; the echo return loss without and with the box's echo canceller (good: 40 dB or more with it); the noise floor (good: below -50 dBFS); the speech level (good: -32 to -16 LUFS); samples at full scale (good: none); which keys arrived in-band and as the modem's key reports.")}}</p>
<div class="scroll">
% test_states = {"queued": _("queued"), "running": _("running"), "done": _("done"), "failed": _("failed"), "expired": _("expired")}
<table id="voicetests" data-states="{{json.dumps(test_states)}}" data-texts="{{said_table}}">
<thead><tr><th>{{_("Modem")}}</th><th>{{_("Call")}}</th><th>{{_("Last test")}}</th></tr></thead>
<tbody>
% for modem in modems:
% test = tests.get(modem['name'])
<tr data-name="{{modem['name']}}" data-request="{{test['id'] if test and test['running'] else ''}}">
  <td>{{modem['name']}}</td>
  <td>
    <form method="post" action="/admin/modems/{{modem['name']}}/voicetest" class="inline">
      <input type="hidden" name="csrf_token" value="{{csrf}}">
      <input type="tel" name="number" maxlength="40" placeholder="{{_('number to call')}}" required>
      <button type="submit">{{_("Voice test")}}</button>
    </form>
  </td>
  <td class="voicetest">
  % if test is None:
    {{_("none yet")}}
  % else:
    <span class="summary{{' trouble' if test['state'] in ('failed', 'expired') else ''}}">{{test['when']}}: {{test['number']}}, {{test_states.get(test['state'], test['state'])}}{{(': ' + said(test['error'])) if test['error'] else ''}}</span>
    % if test['running'] and test['progress']:
    <br><small class="progress">{{said(test['progress'][-1])}}</small>
    % end
    % if test['described']:
    <table class="figures">
    % for what, value in test['described']:
      <tr><th>{{said(what)}}</th><td>{{said(value)}}</td></tr>
    % end
    </table>
    % for line in test['advice']:
    <small class="advice">{{said(line)}}</small><br>
    % end
    % end
  % end
  </td>
</tr>
% end
</tbody>
</table>
</div>
<script src="/static/modems.js"></script>
<script src="/static/voicetest.js"></script>
