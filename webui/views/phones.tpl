% rebase('base.tpl', title='Virtual phones')
<h1>Virtual phones</h1>
<p>These phones are subscribers of the box's virtual GSM network. Call the box's access
number <strong id="access-number">{{access_number}}</strong> from a phone: the box rejects the
call (the caller pays nothing) and calls back; answer, listen, and type a destination ended
by <kbd>#</kbd> on the keypad. Text the box <kbd>BAL</kbd> or <kbd>HELP</kbd> and the answer
arrives in the inbox. "Heard" lists the box's prompts each phone heard.</p>
<div id="phones" data-csrf="{{csrf}}" data-access="{{access_number}}">
% for phone in phones:
  % name = phone['name']
  <section class="card phone" id="phone-{{name}}" data-name="{{name}}">
    <h2>{{name}} <span class="number">{{phone['number']}}</span></h2>
    <p>State <strong class="state" data-state="{{phone['state']}}">{{phone['state']}}</strong>
       <span class="detail"></span></p>
    <label for="{{name}}-number">Number to call</label>
    <input id="{{name}}-number" class="dial-number" value="{{access_number}}" inputmode="tel"
           maxlength="40" autocomplete="off">
    <p class="error" id="{{name}}-number-error" hidden></p>
    <button type="button" data-action="dial">Dial</button>
    <button type="button" data-action="answer">Answer</button>
    <button type="button" data-action="reject">Reject</button>
    <button type="button" data-action="hangup">Hang up</button>
    <p class="error" id="{{name}}-error" hidden></p>
    <p class="keypad" aria-label="keypad of {{name}}">
    % for key in '123456789*0#':
      <button type="button" data-key="{{key}}">{{key}}</button>
    % end
    </p>
    <p class="error" id="{{name}}-keys-error" hidden></p>
    <label for="{{name}}-to">Text to</label>
    <input id="{{name}}-to" class="sms-to" value="{{access_number}}" inputmode="tel" maxlength="40"
           autocomplete="off">
    <p class="error" id="{{name}}-to-error" hidden></p>
    <label for="{{name}}-text">Text</label>
    <input id="{{name}}-text" class="sms-text" maxlength="480" autocomplete="off"
           placeholder="BAL, HELP, CB ...">
    <p class="error" id="{{name}}-text-error" hidden></p>
    <button type="button" data-action="sms">Send SMS</button>
    <h3>Inbox</h3>
    <ul class="inbox">
    % for sms in phone['inbox']:
      <li><span class="from">{{sms['from']}}</span>: <span class="text">{{sms['text']}}</span></li>
    % end
    </ul>
    <h3>Heard</h3>
    <ol class="transcript">
    % for item in phone['transcript']:
      <li data-prompt="{{item['prompt']}}">{{item['text']}}</li>
    % end
    </ol>
  </section>
% end
</div>
<script src="/static/phones.js"></script>
