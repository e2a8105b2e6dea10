% rebase('base.tpl', title='Modems')
<h1>Modems</h1>
% if notice:
<p class="{{'notice' if status_ok else 'error'}}" id="notice">{{notice}}</p>
% end
% if confirm:
<form method="post" action="/admin/modems/{{confirm}}/reset" class="card" id="confirm-reset">
  <input type="hidden" name="csrf_token" value="{{csrf}}">
  <input type="hidden" name="confirm" value="1">
  <button type="submit">Reset {{confirm}} anyway</button> <a href="/admin/modems">Cancel</a>
</form>
% end
<p class="hint">Refreshed every 2 seconds. Minutes: talk time today since midnight. SIM use:
the SIM's calls and SMS against its limits ([[sim]] tables; the day starts at its reset
hour), in red when it is at a limit and lent to no new work of that kind. SMS: what
the last read of the SIM left on it, and failures since. Credit: the last amount the
network told for a SIM with a [[sim]] table, and its last keep-alive SMS. Last recovery: the last step the box took by itself to bring the
modem back (reset, reopen, USB power cycle, or gave up), when and why.</p>
<div class="scroll">
<table id="modems" data-csrf="{{csrf}}">
<thead><tr><th>Name</th><th>State</th><th>Vendor / model</th><th>Operator</th><th>Signal</th>
<th>Registration</th><th>SIM</th><th>ICCID</th><th>Roles</th><th>Group</th><th>In call</th>
<th>Minutes today</th><th>SIM use</th><th>SMS</th><th>Credit</th><th>Last recovery</th><th></th></tr></thead>
<tbody>
% for modem in modems:
<tr data-name="{{modem['name']}}">
  <td>{{modem['name']}}</td>
  <td>{{modem['state']}} {{modem['reason']}}</td>
  <td>{{modem['vendor']}}</td>
  <td>{{modem['operator']}}</td>
  <td class="signal">{{'▮' * modem['bars'] + '▯' * (5 - modem['bars'])}} {{'' if modem['dbm'] is None else str(modem['dbm']) + ' dBm'}}</td>
  <td>{{modem['registration']}}</td>
  <td>{{modem['sim_state']}}</td>
  <td>{{modem['iccid']}}</td>
  <td>{{', '.join(modem['roles'])}}</td>
  <td>{{modem['group']}}</td>
  <td>{{'yes' if modem['in_call'] else 'no'}}</td>
  <td class="minutes">{{modem['minutes_today']}}</td>
  % use = modem['sim_usage']
  <td class="sim-use{{' trouble' if use and use['at_limit'] else ''}}">{{use['summary'] if use else '-'}}{{' (AT LIMIT: ' + ', '.join(use['at_limit']) + ')' if use and use['at_limit'] else ''}}</td>
  % sms = modem['sms']
  % if sms is None:
  <td class="sms">not read yet</td>
  % else:
  <td class="sms{{'' if sms['ok'] else ' trouble'}}">{{'' if sms['ok'] else 'TROUBLE: '}}{{sms['summary']}}<br><small>{{sms['detail']}}</small></td>
  % end
  % credit = modem['credit']
  <td class="credit">
  % if credit is not None:
    % if credit['checkable']:
    <span class="{{'trouble' if credit['low'] else ''}}">{{credit['amount'] or 'not checked yet'}}{{' (low)' if credit['low'] else ''}}</span>
    % if credit['at']:
    <br><small>{{credit['at']}}</small>
    % end
    % if credit['error']:
    <br><small class="trouble">last check: {{credit['error']}}</small>
    % end
    <form method="post" action="/admin/modems/{{modem['name']}}/balance" class="inline">
      <input type="hidden" name="csrf_token" value="{{csrf}}">
      <button type="submit">Check credit</button>
    </form>
    % end
    % if credit['keepalive']:
    <br><small>{{credit['keepalive']}}</small>
    % end
  % end
  </td>
  % recovery = modem['recovery']
  % if recovery is None:
  <td class="recovery">none</td>
  % else:
  <td class="recovery{{' trouble' if recovery['gave_up'] else ''}}">{{recovery['at']}}: {{recovery['text']}}<br><small>{{recovery['counts']}}</small></td>
  % end
  <td>
    <form method="post" action="/admin/modems/{{modem['name']}}/reset" class="inline">
      <input type="hidden" name="csrf_token" value="{{csrf}}">
      <button type="submit">Reset</button>
    </form>
  </td>
</tr>
% end
</tbody>
</table>
</div>
<script src="/static/modems.js"></script>
