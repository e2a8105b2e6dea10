% rebase('base.tpl', title='Modems')
<h1>Modems</h1>
<p class="hint">Refreshed every 2 seconds.</p>
<div class="scroll">
<table id="modems">
<thead><tr><th>Name</th><th>State</th><th>Vendor / model</th><th>Operator</th><th>Signal</th>
<th>Registration</th><th>SIM</th><th>ICCID</th><th>Roles</th><th>Group</th><th>In call</th></tr></thead>
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
</tr>
% end
</tbody>
</table>
</div>
<script src="/static/modems.js"></script>
